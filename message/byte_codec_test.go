package message_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

func equalMsg(a, b message.Message) bool { return reflect.DeepEqual(a, b) }

// byteGoldens maps each label of testdata/byte.golden to the message it holds.
var byteGoldens = map[string]message.Message{
	"identify":            &message.MsgIdentify{Username: "pyuser", Hostname: "pyhost"},
	"identify_at_in_host": &message.MsgIdentify{Username: "me", Hostname: "host@lan"},
	"identify_empty":      &message.MsgIdentify{},
	"join":                &message.MsgJoin{},
	"retry":               &message.MsgRetry{},
	"quit":                &message.MsgQuit{},
	"position":            &Position{ID: 7, X: 1.5, Y: -2, Z: 0.25},
	"position_max":        &Position{ID: math.MaxUint32, X: math.MaxFloat32, Y: -math.SmallestNonzeroFloat32, Z: 0},
	"text_max":            &Text{S: strings.Repeat("x", 253)},
}

func TestByteGolden(t *testing.T) {
	t.Parallel()
	golden := codectest.ReadGolden(t, "byte.golden")
	if len(golden) != len(byteGoldens) {
		t.Fatalf("byte.golden has %d vectors, the test knows %d", len(golden), len(byteGoldens))
	}
	c := testByteCodec()
	for label, want := range byteGoldens {
		t.Run(label, func(t *testing.T) {
			frame := codectest.MustHex(t, golden[label])
			m, n, err := c.Decode(frame)
			if err != nil || n != len(frame) {
				t.Fatalf("Decode = (%v, %d, %v), want n=%d", m, n, err, len(frame))
			}
			if !equalMsg(m, want) {
				t.Fatalf("Decode = %#v, want %#v", m, want)
			}
			again, err := c.AppendFrame(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, frame) {
				t.Fatalf("re-encoded % x, golden % x", again, frame)
			}
			codectest.CheckSplits(t, c, frame, want)
		})
	}
}

func TestByteBackToBack(t *testing.T) {
	t.Parallel()
	c := testByteCodec()
	want := []message.Message{
		&message.MsgIdentify{Username: "u", Hostname: "h"},
		&message.MsgJoin{},
		&Position{ID: 1, X: 2, Y: 3, Z: 4},
		&Text{},
		&Text{S: "hello"},
		&message.MsgRetry{},
		&Position{ID: 2},
		&message.MsgQuit{},
	}
	var buf []byte
	for _, m := range want {
		var err error
		if buf, err = c.AppendFrame(buf, m); err != nil {
			t.Fatal(err)
		}
	}
	got := decodeAll(t, c, buf)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Every split of the stream in two parts: decode what is whole in the
	// first part, then the rest after the second part "arrives".
	for cut := 0; cut <= len(buf); cut++ {
		var got []message.Message
		pending := append([]byte(nil), buf[:cut]...)
		for _, chunk := range [][]byte{nil, buf[cut:]} {
			pending = append(pending, chunk...)
			for {
				m, n, err := c.Decode(pending)
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				if n == 0 {
					break
				}
				got = append(got, m)
				pending = pending[n:]
			}
		}
		if len(pending) != 0 || !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: got %v (left %d), want %v", cut, got, len(pending), want)
		}
	}
}

func TestByteDecodeErrors(t *testing.T) {
	t.Parallel()
	c := testByteCodec()
	tests := []struct {
		name     string
		in       []byte
		want     error
		skip     int // 0: fatal
		offset   int
		typeName string
	}{
		{"len0", []byte{0, 1, 2}, message.ErrBadLength, 0, 0, ""},
		{"len1", []byte{1}, message.ErrBadLength, 0, 0, ""},
		{"unknown code", []byte{3, 0x7f, 9, 2, 2}, message.ErrUnknownType, 3, 1, "0x7f"},
		{"unknown code 0", []byte{2, 0}, message.ErrUnknownType, 2, 1, "0x00"},
		{"payload for join", []byte{3, 2, 0}, message.ErrBadPayload, 3, 2, "0x02"},
		{"short position", []byte{17, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, message.ErrBadPayload, 17, 2, "0x10"},
		{"identify without at", []byte{4, 1, 'a', 'b'}, message.ErrBadPayload, 4, 2, "0x01"},
		{"identify not ascii", []byte{5, 1, 'a', '@', 0xc3}, message.ErrBadPayload, 5, 2, "0x01"},
		{"text with NUL", []byte{3, 0x11, 0}, message.ErrBadPayload, 3, 2, "0x11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, n, err := c.Decode(tt.in)
			if m != nil || !errors.Is(err, tt.want) || n != tt.skip {
				t.Fatalf("Decode = (%v, %d, %v), want (nil, %d, %v)", m, n, err, tt.skip, tt.want)
			}
			var de *message.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is not a *DecodeError", err)
			}
			if de.Codec != "byte" || de.Skip != tt.skip || de.Offset != tt.offset || de.Type != tt.typeName || de.Recoverable() != (tt.skip > 0) {
				t.Fatalf("DecodeError = %+v", de)
			}
		})
	}
	// The payload decoder's own error is kept in the chain.
	_, _, err := c.Decode([]byte{3, 0x11, 0})
	if !errors.Is(err, errNUL) {
		t.Fatalf("%v does not wrap the payload error", err)
	}
	// After a recoverable error the stream goes on.
	stream := []byte{3, 0x7f, 0, 2, 4}
	_, n, _ := c.Decode(stream)
	m, n2, err := c.Decode(stream[n:])
	if err != nil || n2 != 2 || !equalMsg(m, &message.MsgQuit{}) {
		t.Fatalf("after skip: (%v, %d, %v)", m, n2, err)
	}
}

func TestByteEncodeErrors(t *testing.T) {
	t.Parallel()
	c := testByteCodec()
	unregistered := message.NewByteCodec(nil)
	prefix := []byte("keep")
	tests := []struct {
		name  string
		c     *message.ByteCodec
		m     message.Message
		want  error
		cause error
	}{
		{"payload 254", c, &Text{S: strings.Repeat("y", 254)}, message.ErrTooLarge, nil},
		{"identify too long", c, &message.MsgIdentify{Username: strings.Repeat("u", 200), Hostname: strings.Repeat("h", 53)}, message.ErrTooLarge, nil},
		{"identify non-ascii", c, &message.MsgIdentify{Username: "jürgen", Hostname: "h"}, message.ErrBadPayload, nil},
		{"identify at in username", c, &message.MsgIdentify{Username: "a@b", Hostname: "h"}, message.ErrBadPayload, nil},
		{"payload error", c, &Failing{}, message.ErrBadPayload, errFailing},
		{"unregistered", unregistered, &Position{}, message.ErrUnknownType, nil},
		{"not a ByteMessage", c, notByte{}, message.ErrUnknownType, nil},
		{"other type same code", c, &fakeQuit{}, message.ErrUnknownType, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := append(make([]byte, 0, 512), prefix...)
			out, err := tt.c.AppendFrame(dst, tt.m)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("err = %v, does not wrap %v", err, tt.cause)
			}
			var ee *message.EncodeError
			if !errors.As(err, &ee) || ee.Codec != "byte" {
				t.Fatalf("err %v is not a byte *EncodeError", err)
			}
			if !bytes.Equal(out, prefix) {
				t.Fatalf("dst changed to %q", out)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "message: byte encode "+ee.Type+": ") || ee.Type != fmt.Sprintf("%T", tt.m) {
				t.Fatalf("error text %q, type %q", msg, ee.Type)
			}
		})
	}
	// 253 bytes is the most that fits.
	out, err := c.AppendFrame(nil, &Text{S: strings.Repeat("y", 253)})
	if err != nil || len(out) != 255 || out[0] != 255 {
		t.Fatalf("253-byte payload: len %d, err %v", len(out), err)
	}
}

type notByte struct{}

func (notByte) MessageName() string { return "notByte" }

// fakeQuit claims MsgQuit's code without being registered.
type fakeQuit struct{}

func (*fakeQuit) MessageName() string { return "MsgQuit" }
func (*fakeQuit) ByteCode() byte      { return message.CodeQuit }

func TestByteRegisterPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func() message.ByteMessage
		want string
	}{
		{"duplicate code", func() message.ByteMessage { return new(fakeQuit) }, "code 0x04"},
		{"nil factory", nil, "nil factory"},
		{"nil value", func() message.ByteMessage { return nil }, "returned nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := message.NewByteCodec(nil)
			msg := codectest.PanicMessage(func() { c.Register(tt.f) })
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q, want it to mention %q", msg, tt.want)
			}
		})
	}
}

func TestByteCodecsIndependent(t *testing.T) {
	t.Parallel()
	a, b := message.NewByteCodec(nil), message.NewByteCodec(nil)
	a.Register(newPosition)
	frame, err := a.AppendFrame(nil, &Position{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Decode(frame); !errors.Is(err, message.ErrUnknownType) {
		t.Fatalf("codec b decoded a type registered only with a: %v", err)
	}
}

func TestNewIdentify(t *testing.T) {
	m := message.NewIdentify()
	if m.Username == "" || m.Hostname == "" {
		t.Fatalf("NewIdentify() = %+v, want both names filled", m)
	}
	t.Setenv("LOGNAME", "")
	t.Setenv("USER", "tester")
	m = &message.MsgIdentify{Hostname: "given"}
	m.FillFromOS()
	if m.Username != "tester" || m.Hostname != "given" {
		t.Fatalf("FillFromOS = %+v, want username from $USER and hostname kept", m)
	}
}
