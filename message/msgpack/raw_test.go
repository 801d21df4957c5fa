package msgpack_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

// rawShort is a RawMessage with a 1-byte id: its frames get a short header.
type rawShort struct{ b []byte }

func (*rawShort) MessageName() string { return "rawShort" }
func (*rawShort) ByteCode() byte      { return 0x30 }
func (*rawShort) MsgpackRaw()         {}
func (m *rawShort) AppendPayload(dst []byte) ([]byte, error) {
	if string(m.b) == "fail" {
		return nil, errors.New("no")
	}
	return append(dst, m.b...), nil
}
func (m *rawShort) DecodePayload(p []byte) error {
	if string(p) == "bad" {
		return errors.New("bad payload")
	}
	m.b = append([]byte(nil), p...)
	return nil
}

// rawLong is a RawMessage with a 2-byte id: always the long header.
type rawLong struct{ rawShort }

func (*rawLong) MessageName() string { return "rawLong" }
func (*rawLong) MsgpackID() uint16   { return 0x0301 }

func TestRawMessageFrames(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(nil)
	for _, tc := range []struct {
		m      message.Message
		n, hdr int
	}{
		{&rawShort{}, 0, 2},
		{&rawShort{}, 61, 2},
		{&rawShort{}, 62, 3},
		{&rawShort{}, 16380, 3},
		{&rawShort{}, 16381, 6},
		{&rawShort{}, 70000, 6},
		{&rawLong{}, 3, 6},
	} {
		body := bytes.Repeat([]byte{0xc1}, tc.n) // not msgpack: raw bytes travel as they are
		var want message.Message
		switch m := tc.m.(type) {
		case *rawShort:
			m.b = body
			want = &rawShort{b: append([]byte(nil), body...)}
		case *rawLong:
			m.b = body
			want = &rawLong{rawShort{b: append([]byte(nil), body...)}}
		}
		frame, err := c.AppendFrame([]byte("x"), tc.m)
		if err != nil {
			t.Fatalf("%d bytes: %v", tc.n, err)
		}
		frame = frame[1:]
		if len(frame) != tc.hdr+tc.n {
			t.Fatalf("%T of %d bytes: frame of %d, want a %d-byte header", tc.m, tc.n, len(frame), tc.hdr)
		}
		if tc.n < 100 {
			codectest.CheckSplits(t, c, frame, want)
		}
		got, n, err := c.Decode(frame)
		if err != nil || n != len(frame) || !bytes.Equal(got.(interface{ payload() []byte }).payload(), body) {
			t.Fatalf("%d bytes: decode (%v, %d, %v)", tc.n, got, n, err)
		}
	}
}

func (m *rawShort) payload() []byte { return m.b }

func TestRawMessageErrors(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(&message.Options{MaxFrame: 100})
	if _, err := c.AppendFrame(nil, &rawShort{b: []byte("fail")}); !errors.Is(err, message.ErrBadPayload) {
		t.Errorf("failing AppendPayload: %v", err)
	}
	if _, err := c.AppendFrame(nil, &rawShort{b: make([]byte, 200)}); !errors.Is(err, message.ErrTooLarge) {
		t.Errorf("frame over MaxFrame: %v", err)
	}
	for _, tc := range []struct {
		frame []byte
		want  error
		skip  int
	}{
		{[]byte{0x81, 0x30}, message.ErrBadLength, 0},                 // shorter than its header
		{[]byte{0xc0, 0x02, 0x30}, message.ErrBadLength, 0},           //
		{[]byte{0xc1, 0x00, 0x30}, message.ErrTooLarge, 0},            // 256 > MaxFrame
		{[]byte{0x85, 0x30, 'b', 'a', 'd'}, message.ErrBadPayload, 5}, // DecodePayload refused it
		{[]byte{0x83, 0x77, 0}, message.ErrUnknownType, 3},            //
		{[]byte{0x83, 0x01, 0xc1}, message.ErrMalformed, 3},           // a msgpack type's body is still checked
	} {
		_, n, err := c.Decode(tc.frame)
		if !errors.Is(err, tc.want) || n != tc.skip {
			t.Errorf("% x: (%d, %v), want %v, skip %d", tc.frame, n, err, tc.want, tc.skip)
		}
	}
	// A short header in front of a built-in: any type may be read from one.
	m, n, err := c.Decode([]byte{0x83, 0x02, 0x80})
	if _, ok := m.(*message.MsgJoin); !ok || n != 3 || err != nil {
		t.Errorf("short-header join: (%v, %d, %v)", m, n, err)
	}
}

var _ msgpack.RawMessage = (*rawShort)(nil)
