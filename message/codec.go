package message

import (
	"fmt"
)

// NewCodec returns a new codec by name: "byte", "json" or "msgpack", with
// the built-in messages registered. An unknown name gives an error wrapping
// ErrUnknownCodec. It is meant for programs that pick the codec by a flag;
// register the program's own types on the result with RegisterAll.
func NewCodec(name string, opts *Options) (Codec, error) {
	switch name {
	case "byte":
		return NewByteCodec(opts), nil
	case "json":
		return NewJSONCodec(opts), nil
	case "msgpack":
		return NewMsgpackCodec(opts), nil
	}
	return nil, fmt.Errorf("%w: %q (want byte, json or msgpack)", ErrUnknownCodec, name)
}

// RegisterAll registers the type of each factory's values with c, whichever
// codec it is, by calling its Register method. For a *ByteCodec every value
// must be a ByteMessage. It panics like Register does (duplicate, nil
// factory, a type the codec cannot carry) and also when c is not one of
// this package's codecs. Like Register, call it before c is used.
func RegisterAll(c Codec, factories ...func() Message) {
	for _, f := range factories {
		if f == nil {
			panic("message: RegisterAll: nil factory")
		}
		switch c := c.(type) {
		case *ByteCodec:
			m := f()
			if _, ok := m.(ByteMessage); !ok {
				panic(fmt.Sprintf("message: RegisterAll: %T is not a ByteMessage, the byte codec cannot carry it", m))
			}
			c.Register(func() ByteMessage { return f().(ByteMessage) })
		case *JSONCodec:
			c.Register(f)
		case *MsgpackCodec:
			c.Register(f)
		default:
			panic(fmt.Sprintf("message: RegisterAll: unsupported codec %T", c))
		}
	}
}
