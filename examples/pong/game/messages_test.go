package game

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

func roundTrip(t *testing.T, c message.Codec, m message.Message) message.Message {
	t.Helper()
	frame, err := c.AppendFrame(nil, m)
	if err != nil {
		t.Fatalf("AppendFrame(%+v): %v", m, err)
	}
	got, n, err := c.Decode(frame)
	if err != nil || n != len(frame) {
		t.Fatalf("Decode(% x) = %v, %d, %v", frame, got, n, err)
	}
	return got
}

func TestMessagesRoundTrip(t *testing.T) {
	t.Parallel()
	c := NewCodec()
	msgs := []message.Message{
		&PaddleMsg{Frame: 0, X: minPaddleX},
		&PaddleMsg{Frame: 1<<32 - 1, X: maxPaddleX},
		&BallMsg{Frame: 5, End: 5, Ball: Ball{X: 0, Y: minBallY, VX: -MaxSpeedX, VY: -MaxSpeedY}, Wait: ServeWait, HostScore: 0xffff},
		&BallMsg{Frame: 1 << 31, Ball: Ball{X: Width, Y: maxBallY, VX: MaxSpeedX, VY: 1}, GuestScore: 3},
		&PingMsg{Seq: 1, Sent: -1},
		&PongMsg{Seq: 1 << 31, Sent: 1<<63 - 1},
	}
	for _, m := range msgs {
		if got := roundTrip(t, c, m); !reflect.DeepEqual(got, m) {
			t.Errorf("round trip of %#v gave %#v", m, got)
		}
	}
}

func TestEncodeRefusesImpossibleStates(t *testing.T) {
	t.Parallel()
	c := NewCodec()
	for _, m := range []message.Message{
		&PaddleMsg{X: minPaddleX - 1},
		&BallMsg{Ball: Ball{X: 10, Y: 10, VX: 1, VY: 0}},
		&BallMsg{Ball: Ball{X: -1, Y: 10, VY: 1}},
		&BallMsg{Frame: 9, End: 8, Ball: Ball{X: 1, Y: 1, VY: 1}},
		&BallMsg{Ball: Ball{X: 1, Y: 1, VY: 1}, HostScore: 1 << 16},
	} {
		dst := []byte{9}
		out, err := c.AppendFrame(dst, m)
		if !errors.Is(err, message.ErrBadPayload) || !errors.Is(err, ErrOutOfRange) {
			t.Errorf("AppendFrame(%+v) error %v, want ErrBadPayload and ErrOutOfRange", m, err)
		}
		if !bytes.Equal(out, dst) {
			t.Errorf("AppendFrame(%+v) changed dst to % x", m, out)
		}
	}
}

func TestDecodeRefusesBadPayloads(t *testing.T) {
	t.Parallel()
	c := NewCodec()
	frame := func(code byte, p ...byte) []byte { return append([]byte{byte(2 + len(p)), code}, p...) }
	good := func(m message.Message) []byte {
		f, err := c.AppendFrame(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	ball := good(&BallMsg{Ball: Ball{X: 1, Y: 1, VY: 1}})
	setVY := func(v byte) []byte { f := bytes.Clone(ball); f[2+13] = v; return f }
	tests := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"paddle short", frame(CodePaddle, 0, 0, 0, 0, 1), ErrPayloadSize},
		{"paddle long", frame(CodePaddle, 0, 0, 0, 0, 0, 100, 0), ErrPayloadSize},
		{"paddle x negative", frame(CodePaddle, 0, 0, 0, 0, 0xff, 0xff), ErrOutOfRange},
		{"paddle x too big", frame(CodePaddle, 0, 0, 0, 0, 1, 0xc0), ErrOutOfRange},
		{"ball empty", frame(CodeBall), ErrPayloadSize},
		{"ball vy 0", setVY(0), ErrOutOfRange},
		{"ball vy -128", setVY(0x80), ErrOutOfRange},
		{"ping short", frame(CodePing, 1, 2, 3), ErrPayloadSize},
		{"pong long", frame(CodePong, make([]byte, 13)...), ErrPayloadSize},
	}
	for _, tt := range tests {
		m, n, err := c.Decode(tt.frame)
		if m != nil || n != len(tt.frame) || !errors.Is(err, message.ErrBadPayload) || !errors.Is(err, tt.want) {
			t.Errorf("%s: Decode(% x) = %v, %d, %v; want skip %d with ErrBadPayload and %v", tt.name, tt.frame, m, n, err, len(tt.frame), tt.want)
		}
	}
}
