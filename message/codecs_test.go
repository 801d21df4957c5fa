package message_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

// testMsgpackCodec returns a msgpack codec (package message/msgpack, which
// these tests import: the cross-codec tests run over all three codecs) with
// the test types registered.
func testMsgpackCodec(opts *message.Options) *msgpack.Codec {
	c := msgpack.NewCodec(opts)
	message.RegisterAll(c,
		func() message.Message { return new(Position) },
		func() message.Message { return new(Text) },
	)
	return c
}

// allCodecs returns one codec of each kind with the test types registered.
func allCodecs() []message.Codec {
	return []message.Codec{testByteCodec(), testJSONCodec(nil), testMsgpackCodec(nil)}
}

// commonMessages travel in every codec.
func commonMessages() []message.Message {
	return []message.Message{
		&message.MsgIdentify{Username: "alice", Hostname: "box.lan"},
		&message.MsgIdentify{Username: "", Hostname: "h@st"},
		&message.MsgJoin{},
		&message.MsgRetry{},
		&message.MsgQuit{},
		&Position{ID: 7, X: 1.5, Y: -2, Z: 0.25},
		&Position{ID: math.MaxUint32, X: math.MaxFloat32, Y: -math.SmallestNonzeroFloat32, Z: float32(math.Inf(1))},
		&Position{},
		&Text{S: ""},
		&Text{S: "hello, world"},
		&Text{S: strings.Repeat("z", 253)},
	}
}

func TestCodecsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range allCodecs() {
		t.Run(c.Name(), func(t *testing.T) {
			for _, m := range commonMessages() {
				frame, err := c.AppendFrame(nil, m)
				if err != nil {
					t.Fatalf("AppendFrame(%#v): %v", m, err)
				}
				codectest.CheckSplits(t, c, frame, m)
				// Encoding appends: a prefix in dst is kept.
				withPrefix, err := c.AppendFrame([]byte("prefix"), m)
				if err != nil || !bytes.Equal(withPrefix, append([]byte("prefix"), frame...)) {
					t.Fatalf("AppendFrame with a prefix: %q, %v", withPrefix, err)
				}
			}
		})
	}
}

func TestCodecsBackToBack(t *testing.T) {
	t.Parallel()
	for _, c := range allCodecs() {
		t.Run(c.Name(), func(t *testing.T) {
			want := commonMessages()
			var stream []byte
			for _, m := range want {
				var err error
				if stream, err = c.AppendFrame(stream, m); err != nil {
					t.Fatal(err)
				}
			}
			if got := decodeAll(t, c, stream); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			// Bytes arriving one at a time: decode whatever is whole.
			var got []message.Message
			var pending []byte
			for _, b := range stream {
				pending = append(pending, b)
				for {
					m, n, err := c.Decode(pending)
					if err != nil {
						t.Fatal(err)
					}
					if n == 0 {
						break
					}
					got = append(got, m)
					pending = pending[n:]
				}
			}
			if len(pending) != 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("byte by byte: got %v (left %d), want %v", got, len(pending), want)
			}
		})
	}
}

func TestCodecsUnregisteredEncode(t *testing.T) {
	t.Parallel()
	for _, c := range []message.Codec{message.NewByteCodec(nil), message.NewJSONCodec(nil), msgpack.NewCodec(nil)} {
		out, err := c.AppendFrame([]byte("x"), &Position{})
		if !errors.Is(err, message.ErrUnknownType) || string(out) != "x" {
			t.Errorf("%s: AppendFrame of an unregistered type = (%q, %v), want ErrUnknownType", c.Name(), out, err)
		}
	}
}

func TestCodecsDoNotShareRegistries(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"byte", "json", "msgpack"} {
		a, _ := message.NewCodec(name, nil)
		b, _ := message.NewCodec(name, nil)
		message.RegisterAll(a, func() message.Message { return new(Position) })
		frame, err := a.AppendFrame(nil, &Position{ID: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, n, err := b.Decode(frame); !errors.Is(err, message.ErrUnknownType) || n != len(frame) {
			t.Errorf("%s: a second codec decoded a type registered with the first: n=%d err=%v", name, n, err)
		}
	}
}

func TestNewCodec(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"byte", "json", "msgpack"} {
		c, err := message.NewCodec(name, &message.Options{MaxFrame: 100})
		if err != nil || c.Name() != name {
			t.Fatalf("NewCodec(%q) = %v, %v", name, c, err)
		}
		frame, err := c.AppendFrame(nil, &message.MsgJoin{})
		if err != nil {
			t.Fatal(err)
		}
		if m, _, err := c.Decode(frame); err != nil || !equalMsg(m, &message.MsgJoin{}) {
			t.Fatalf("%s: built-in MsgJoin: %v, %v", name, m, err)
		}
	}
	if _, err := message.NewCodec("xml", nil); !errors.Is(err, message.ErrUnknownCodec) {
		t.Fatalf("NewCodec(xml): %v, want ErrUnknownCodec", err)
	}
}

func TestRegisterAllPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    message.Codec
		f    func() message.Message
		want string
	}{
		{"byte needs ByteMessage", message.NewByteCodec(nil), func() message.Message { return notByte{} }, "not a ByteMessage"},
		{"nil factory", message.NewJSONCodec(nil), nil, "nil factory"},
		{"foreign codec", foreignCodec{}, func() message.Message { return new(Position) }, "unsupported codec"},
		{"json duplicate name", message.NewJSONCodec(nil), func() message.Message { return new(fakeQuit) }, `name "MsgQuit"`},
		{"msgpack duplicate id", msgpack.NewCodec(nil), func() message.Message { return new(fakeQuit) }, "id 0x0004"},
		{"msgpack no id", msgpack.NewCodec(nil), func() message.Message { return new(Nested) }, "RegisterID"},
		{"msgpack typed nil", msgpack.NewCodec(nil), func() message.Message { return (*Position)(nil) }, "returned a nil"},
		{"msgpack not a pointer", msgpack.NewCodec(nil), func() message.Message { return notByte{} }, "not a pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := codectest.PanicMessage(func() { message.RegisterAll(tt.c, tt.f) })
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q, want it to mention %q", msg, tt.want)
			}
		})
	}
}

type foreignCodec struct{ message.Codec }

func TestRegisterCodec(t *testing.T) {
	t.Parallel()
	if got := strings.Join(message.CodecNames(), ","); got != "byte,json,msgpack" {
		t.Fatalf("CodecNames() = %s, want byte,json,msgpack (msgpack registered by importing message/msgpack)", got)
	}
	for _, name := range []string{"byte", "json", "msgpack", ""} {
		msg := codectest.PanicMessage(func() { message.RegisterCodec(name, func(*message.Options) message.Codec { return nil }) })
		if !strings.Contains(msg, "is taken") {
			t.Errorf("RegisterCodec(%q): panic %q, want a refusal", name, msg)
		}
	}
	if msg := codectest.PanicMessage(func() { message.RegisterCodec("x", nil) }); !strings.Contains(msg, "nil constructor") {
		t.Errorf("RegisterCodec with a nil constructor: panic %q", msg)
	}
	_, err := message.NewCodec("xml", nil)
	if !errors.Is(err, message.ErrUnknownCodec) || !strings.Contains(err.Error(), "byte, json, msgpack") {
		t.Fatalf("NewCodec(xml): %v, want ErrUnknownCodec listing the known names", err)
	}
}
