package msgpack_test

import (
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

func FuzzDecode(f *testing.F) {
	codectest.AddGoldenSeeds(f, "msgpack.golden", true, "")
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
	f.Add([]byte{0x85, 0x30, 'a', 'b', 'c'})               // a raw message, short header
	f.Add([]byte{0xc0, 0x06, 0x30, 'a', 'b', 'c'})         // medium header
	f.Add([]byte{0x84, 0x01, 0x80, 0x83, 0x30, 'x', 0x81}) // short headers, a built-in, an empty body
	c := testMsgpackCodec(&message.Options{MaxFrame: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range codectest.DecodeStream(t, c, data) {
			codectest.CheckReencode(t, c, m)
		}
	})
}
