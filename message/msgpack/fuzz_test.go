package msgpack_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// fuzzDecodeStream decodes buf to its end the way a Messenger does and
// checks the Decode contract on every step. It returns the messages decoded.
func fuzzDecodeStream(t *testing.T, c message.Codec, buf []byte) []message.Message {
	var out []message.Message
	for len(buf) > 0 {
		m, n, err := c.Decode(buf)
		if n < 0 || n > len(buf) {
			t.Fatalf("n = %d for %d bytes", n, len(buf))
		}
		if err != nil {
			var de *message.DecodeError
			if m != nil || !errors.As(err, &de) || de.Skip != n || de.Codec != c.Name() {
				t.Fatalf("error result (%v, %d, %v) breaks the contract", m, n, err)
			}
			if !errors.Is(err, message.ErrUnknownType) && !errors.Is(err, message.ErrBadLength) && !errors.Is(err, message.ErrBadPayload) &&
				!errors.Is(err, message.ErrMalformed) && !errors.Is(err, message.ErrTooLarge) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if n == 0 {
				return out // stream unusable
			}
			buf = buf[n:]
			continue
		}
		if n == 0 {
			if m != nil {
				t.Fatalf("need-more with a message %v", m)
			}
			return out
		}
		if m == nil {
			t.Fatalf("n = %d without a message or an error", n)
		}
		out = append(out, m)
		buf = buf[n:]
	}
	return out
}

// checkReencode checks that a decoded message encodes, and that its frame
// decodes to a message that encodes to the same frame.
func checkReencode(t *testing.T, c message.Codec, m message.Message) []byte {
	frame, err := c.AppendFrame(nil, m)
	if errors.Is(err, message.ErrTooLarge) {
		return nil // e.g. JSON escapes made the line longer than MaxFrame
	}
	if err != nil {
		t.Fatalf("re-encoding decoded %#v: %v", m, err)
	}
	m2, n, err := c.Decode(frame)
	if err != nil || n != len(frame) {
		t.Fatalf("decoding re-encoded %q: (%v, %d, %v)", frame, m2, n, err)
	}
	again, err := c.AppendFrame(nil, m2)
	if err != nil || !bytes.Equal(again, frame) {
		t.Fatalf("encode(decode(encode(m))) changed:\n%q\n%q (err %v)", frame, again, err)
	}
	return frame
}

func addGoldenSeeds(f *testing.F, name string, hexValues bool, suffix string) {
	for _, v := range readGolden(f, name) {
		if hexValues {
			f.Add(mustHex(f, v))
		} else {
			f.Add([]byte(v + suffix))
		}
	}
}

func FuzzDecode(f *testing.F) {
	addGoldenSeeds(f, "msgpack.golden", true, "")
	f.Add(mpFrame(0x101, 0x81, 0xa3, 'r', 'a', 'w', 0x93, 0x01, 0xa1, 'x', 0xcb, 0, 0, 0, 0, 0, 0, 0, 0))
	f.Add(mpFrame(0x101, 0x81, 0xa6, 's', 'c', 'o', 'r', 'e', 's', 0x81, 0xa1, 'a', 0x05))
	f.Add(mpFrame(0x101, 0x81, 0xa3, 'r', 'a', 'w', 0xdd, 0xff, 0xff, 0xff, 0xff))
	f.Add(mpFrame(0x100, 0x81, 0xa8, 'l', 'o', 'a', 'd', '_', 'a', 'v', 'g', 0x92, 0xca, 0, 0, 0, 0, 0xc0))
	// Maps of several keys: before the codec sorted them, re-encoding one
	// gave another order about one run in two (Go's map order).
	f.Add(mpFrame(0x101, 0x81, 0xa6, 's', 'c', 'o', 'r', 'e', 's', 0x88,
		0xa1, 'h', 1, 0xa1, 'g', 2, 0xa1, 'f', 3, 0xa1, 'e', 4, 0xa1, 'd', 5, 0xa1, 'c', 6, 0xa1, 'b', 7, 0xa1, 'a', 8))
	f.Add(mpFrame(0x201, 0x82, 0xa4, 'i', 'n', 't', 's', 0x84, 0x05, 0xa1, 'a', 0xff, 0xa1, 'b', 0xd1, 0x80, 0x00, 0xa1, 'c', 0x00, 0xa1, 'd',
		0xa3, 'a', 'n', 'y', 0x91, 0x83, 0xa1, 'z', 0xc3, 0xa1, 'y', 0x80, 0xa1, 'x', 0x90))
	f.Add(mpFrame(0x7777, 0x80))
	f.Add([]byte{0, 0, 0, 5, 0, 1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	c := testMsgpackCodec(&message.Options{MaxFrame: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range fuzzDecodeStream(t, c, data) {
			checkReencode(t, c, m)
		}
	})
}
