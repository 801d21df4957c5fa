package message_test

import (
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

var benchPosition = &Position{ID: 123456, X: 1.5, Y: -20.25, Z: 300.125}

func benchEncode(b *testing.B, c message.Codec) {
	buf, err := c.AppendFrame(nil, benchPosition)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf, err = c.AppendFrame(buf[:0], benchPosition)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, c message.Codec) {
	frame, err := c.AppendFrame(nil, benchPosition)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m, n, err := c.Decode(frame)
		if err != nil || n != len(frame) || m.(*Position).ID != benchPosition.ID {
			b.Fatalf("Decode = (%v, %d, %v)", m, n, err)
		}
	}
}

func BenchmarkByteEncodePosition(b *testing.B) { benchEncode(b, testByteCodec()) }
func BenchmarkByteDecodePosition(b *testing.B) { benchDecode(b, testByteCodec()) }

func BenchmarkJSONEncodePosition(b *testing.B) { benchEncode(b, testJSONCodec(nil)) }
func BenchmarkJSONDecodePosition(b *testing.B) { benchDecode(b, testJSONCodec(nil)) }

// BenchmarkByteDecodePositionBlocks is BenchmarkByteDecodePosition with the
// position factory from Blocks.
func BenchmarkByteDecodePositionBlocks(b *testing.B) {
	c := message.NewByteCodec(nil)
	newPos := message.Blocks[Position](0)
	c.Register(func() message.ByteMessage { return newPos() })
	benchDecode(b, c)
}
