package message_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

// Short is the easiest mistake: a DecodePayload without a length check.
type Short struct{ A, B byte }

func (*Short) MessageName() string { return "Short" }
func (*Short) ByteCode() byte      { return 0x20 }
func (s *Short) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, s.A, s.B), nil
}
func (s *Short) DecodePayload(p []byte) error {
	s.A, s.B = p[0], p[1] // no length check: panics on a short payload
	return nil
}

// Bomb panics in its encoder (on the sending side) when asked to.
type Bomb struct {
	Boom Fuse `json:"boom"`
}

func (*Bomb) MessageName() string { return "Bomb" }
func (*Bomb) ByteCode() byte      { return 0x21 }
func (b *Bomb) AppendPayload(dst []byte) ([]byte, error) {
	dst = append(dst, "partial"...)
	if b.Boom {
		panic("bomb: AppendPayload")
	}
	return dst, nil
}
func (b *Bomb) DecodePayload(p []byte) error { return nil }

// Fuse is a JSON field whose hooks panic: MarshalJSON when true,
// UnmarshalJSON on any value but false.
type Fuse bool

func (f Fuse) MarshalJSON() ([]byte, error) {
	if f {
		panic("fuse: MarshalJSON")
	}
	return []byte("false"), nil
}

func (f *Fuse) UnmarshalJSON(b []byte) error {
	if string(b) != "false" {
		var m map[string]int
		m["x"] = 1 // a runtime error: assignment to entry in nil map
	}
	return nil
}

// Grumpy is registered with a factory that panics after the first call
// (codectest.FactoryOnce).
type Grumpy struct {
	N int `json:"n"`
}

func (*Grumpy) MessageName() string                      { return "Grumpy" }
func (*Grumpy) ByteCode() byte                           { return 0x22 }
func (*Grumpy) AppendPayload(dst []byte) ([]byte, error) { return dst, nil }
func (*Grumpy) DecodePayload([]byte) error               { return nil }

func TestByteDecodePanicContained(t *testing.T) {
	t.Parallel()
	c := message.NewByteCodec(nil)
	c.Register(func() message.ByteMessage { return new(Short) })
	// A 2-byte frame: the code and no payload.
	codectest.CheckPanicSkipped(t, c, []byte{2, 0x20}, "*message_test.Short")
	codectest.CheckPanicSkipped(t, c, []byte{3, 0x20, 7}, "*message_test.Short")
	// The panic value, a runtime error, is reachable.
	_, _, err := c.Decode([]byte{2, 0x20})
	var re interface{ RuntimeError() }
	if !errors.As(err, &re) {
		t.Errorf("error %v: the runtime error is not reachable with errors.As", err)
	}
	// A whole frame still decodes.
	m, n, err := c.Decode([]byte{4, 0x20, 1, 2})
	if s, ok := m.(*Short); !ok || n != 4 || err != nil || *s != (Short{1, 2}) {
		t.Fatalf("Decode = (%v, %d, %v)", m, n, err)
	}

	g := message.NewByteCodec(nil)
	newGrumpy := codectest.FactoryOnce[Grumpy]()
	g.Register(func() message.ByteMessage { return newGrumpy() })
	codectest.CheckPanicSkipped(t, g, []byte{2, 0x22}, "*message_test.Grumpy")
}

func TestJSONDecodePanicContained(t *testing.T) {
	t.Parallel()
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(Bomb) })
	codectest.CheckPanicSkipped(t, c, []byte(`["Bomb",{"boom":true}]`+"\n"), "Bomb")
	m, _, err := c.Decode([]byte(`["Bomb",{"boom":false}]` + "\n"))
	if _, ok := m.(*Bomb); !ok || err != nil {
		t.Fatalf("Decode = (%v, %v)", m, err)
	}

	g := message.NewJSONCodec(nil)
	newGrumpy := codectest.FactoryOnce[Grumpy]()
	g.Register(func() message.Message { return newGrumpy() })
	codectest.CheckPanicSkipped(t, g, []byte(`["Grumpy",{"n":1}]`+"\n"), "Grumpy")
}

func TestEncodePanicContained(t *testing.T) {
	t.Parallel()
	b := message.NewByteCodec(nil)
	b.Register(func() message.ByteMessage { return new(Bomb) })
	codectest.CheckEncodePanic(t, b, &Bomb{Boom: true}, &Bomb{})

	j := message.NewJSONCodec(nil)
	j.Register(func() message.Message { return new(Bomb) })
	codectest.CheckEncodePanic(t, j, &Bomb{Boom: true}, &Bomb{})
	// A MarshalJSON reached through an interface field.
	j.Register(func() message.Message { return new(WithAny) })
	codectest.CheckEncodePanic(t, j, &WithAny{V: []any{1, Fuse(true)}}, &WithAny{V: []any{1, Fuse(false)}})
}

// Fat has fields but no payload methods: the byte codec cannot carry it.
type Fat struct {
	X, Y int
	_    [0]int
}

func (*Fat) MessageName() string { return "Fat" }
func (*Fat) ByteCode() byte      { return 0x30 }

// Counter is not a struct but holds data, and has no payload methods.
type Counter int32

func (Counter) MessageName() string { return "Counter" }
func (Counter) ByteCode() byte      { return 0x31 }

// Empty has no fields and no payload methods: like MsgJoin, fine.
type Empty struct{ _ [0]func() }

func (*Empty) MessageName() string { return "Empty" }
func (*Empty) ByteCode() byte      { return 0x32 }

// registerPanic runs register and returns the error it panicked with.
func registerPanic(t *testing.T, register func()) error {
	t.Helper()
	var v any
	func() {
		defer func() { v = recover() }()
		register()
	}()
	if v == nil {
		return nil
	}
	err, ok := v.(error)
	if !ok {
		t.Fatalf("Register panicked with %T %v, want an error", v, v)
	}
	return err
}

func TestByteRegisterRefusesDataWithoutPayload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		register func(c *message.ByteCodec)
		want     []string // in the message
	}{
		{"Register", func(c *message.ByteCodec) { c.Register(func() message.ByteMessage { return new(Fat) }) },
			[]string{"*message_test.Fat", "fields X, Y", "AppendPayload"}},
		{"RegisterAll", func(c *message.ByteCodec) { message.RegisterAll(c, func() message.Message { return new(Fat) }) },
			[]string{"*message_test.Fat", "fields X, Y"}},
		{"non-struct", func(c *message.ByteCodec) { c.Register(func() message.ByteMessage { return Counter(1) }) },
			[]string{"message_test.Counter", "4 bytes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := message.NewByteCodec(nil)
			err := registerPanic(t, func() { tt.register(c) })
			if !errors.Is(err, message.ErrNoPayloadMethods) {
				t.Fatalf("Register: %v, want a panic with ErrNoPayloadMethods", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not say %q", err, s)
				}
			}
			if _, err := c.AppendFrame(nil, new(Fat)); !errors.Is(err, message.ErrUnknownType) {
				t.Errorf("the refused type was registered after all: AppendFrame error %v", err)
			}
		})
	}
	c := message.NewByteCodec(nil)
	if err := registerPanic(t, func() {
		c.Register(func() message.ByteMessage { return new(Empty) })
		message.RegisterAll(message.NewJSONCodec(nil), func() message.Message { return new(Fat) }) // JSON carries fields
	}); err != nil {
		t.Fatalf("Register of a type without data: %v", err)
	}
}
