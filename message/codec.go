package message

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// NewCodec returns a new codec by name, with the built-in messages
// registered: "byte" and "json", or a codec that a package registered with
// RegisterCodec ("msgpack" once package message/msgpack is imported, for
// instance with import _ "github.com/cablecar-go/cablecar/message/msgpack").
// An unknown name gives an error wrapping ErrUnknownCodec. It is meant for
// programs that pick the codec by a flag; register the program's own types
// on the result with RegisterAll.
func NewCodec(name string, opts *Options) (Codec, error) {
	switch name {
	case "byte":
		return NewByteCodec(opts), nil
	case "json":
		return NewJSONCodec(opts), nil
	}
	codecsMu.RLock()
	newCodec := codecs[name]
	codecsMu.RUnlock()
	if newCodec != nil {
		return newCodec(opts), nil
	}
	return nil, fmt.Errorf("%w: %q (want %s)", ErrUnknownCodec, name, strings.Join(CodecNames(), ", "))
}

var (
	codecsMu sync.RWMutex
	codecs   = make(map[string]func(*Options) Codec)
)

// RegisterCodec makes a codec known to NewCodec under name. A codec package
// calls it from its init function, as package message/msgpack does for
// "msgpack", so that a program links only the codecs it imports. newCodec
// must return a new codec, with the built-in messages registered, on every
// call. RegisterCodec panics if name is "byte", "json", empty or already
// registered, or if newCodec is nil. It is safe for concurrent use.
func RegisterCodec(name string, newCodec func(*Options) Codec) {
	if newCodec == nil {
		panic("message: RegisterCodec: nil constructor for " + strconv.Quote(name))
	}
	codecsMu.Lock()
	defer codecsMu.Unlock()
	if name == "" || name == "byte" || name == "json" || codecs[name] != nil {
		panic("message: RegisterCodec: codec name " + strconv.Quote(name) + " is taken")
	}
	codecs[name] = newCodec
}

// CodecNames returns the names NewCodec knows, sorted: "byte", "json" and
// those registered with RegisterCodec.
func CodecNames() []string {
	codecsMu.RLock()
	names := []string{"byte", "json"}
	for name := range codecs {
		names = append(names, name)
	}
	codecsMu.RUnlock()
	slices.Sort(names)
	return names
}

// RegisterAll registers the type of each factory's values with c, whichever
// codec it is: for a *ByteCodec every value must be a ByteMessage; any other
// codec must have a Register(func() Message) method (a *JSONCodec, a
// *msgpack.Codec do). It panics like Register does (duplicate, nil factory,
// a type the codec cannot carry) and also when c has no such method. Like
// Register, call it before c is used.
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
		case interface{ Register(func() Message) }:
			c.Register(f)
		default:
			panic(fmt.Sprintf("message: RegisterAll: unsupported codec %T (it has no Register(func() message.Message) method)", c))
		}
	}
}
