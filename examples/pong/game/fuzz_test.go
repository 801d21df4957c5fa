package game

import (
	"bytes"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// fuzzDecoder checks that a payload decoder never panics, and that whatever
// it accepts encodes back to the same bytes (payloads are canonical).
func fuzzDecoder[M interface {
	message.PayloadDecoder
	message.PayloadAppender
}](f *testing.F, newMsg func() M, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 300))
	f.Fuzz(func(t *testing.T, p []byte) {
		m := newMsg()
		if err := m.DecodePayload(p); err != nil {
			return
		}
		out, err := m.AppendPayload(nil)
		if err != nil {
			t.Fatalf("decoded % x into %+v, which does not encode: %v", p, m, err)
		}
		if !bytes.Equal(out, p) {
			t.Fatalf("decoded % x, encodes back to % x", p, out)
		}
	})
}

func seed(m message.PayloadAppender) []byte {
	b, err := m.AppendPayload(nil)
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzPaddleMsg(f *testing.F) {
	fuzzDecoder(f, func() *PaddleMsg { return new(PaddleMsg) },
		seed(&PaddleMsg{Frame: 3, X: 100}), []byte{0, 0, 0, 0, 0xff, 0xff})
}

func FuzzBallMsg(f *testing.F) {
	fuzzDecoder(f, func() *BallMsg { return new(BallMsg) },
		seed(&BallMsg{Frame: 3, End: 9, Ball: Ball{X: 100, Y: -3, VX: -2, VY: 7}, Wait: 1, HostScore: 2, GuestScore: 3}),
		seed(&BallMsg{Ball: Ball{X: Width, Y: maxBallY, VX: MaxSpeedX, VY: -MaxSpeedY}}))
}

func FuzzPingMsg(f *testing.F) {
	fuzzDecoder(f, func() *PingMsg { return new(PingMsg) }, seed(&PingMsg{Seq: 1, Sent: 123456789}))
}

func FuzzPongMsg(f *testing.F) {
	fuzzDecoder(f, func() *PongMsg { return new(PongMsg) }, seed(&PongMsg{Seq: 2, Sent: -5}))
}
