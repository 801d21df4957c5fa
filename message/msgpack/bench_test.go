package msgpack_test

import "testing"

var benchPosition = &Position{ID: 123456, X: 1.5, Y: -20.25, Z: 300.125}

func BenchmarkEncodePosition(b *testing.B) {
	c := testMsgpackCodec(nil)
	buf, err := c.AppendFrame(nil, benchPosition)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = c.AppendFrame(buf[:0], benchPosition); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePosition(b *testing.B) {
	c := testMsgpackCodec(nil)
	frame, err := c.AppendFrame(nil, benchPosition)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		m, n, err := c.Decode(frame)
		if err != nil || n != len(frame) || m.(*Position).ID != benchPosition.ID {
			b.Fatalf("Decode = (%v, %d, %v)", m, n, err)
		}
	}
}
