package message

import (
	"fmt"
	"reflect"
	"strings"
)

// Byte frame limits (cable_car 1.0.1): the length byte counts the whole
// frame, itself and the code included.
const (
	// MinByteFrame is the smallest byte frame: length byte and code.
	MinByteFrame = 2
	// MaxByteFrame is the largest byte frame.
	MaxByteFrame = 255
	// MaxBytePayload is the largest payload a byte frame can carry.
	MaxBytePayload = MaxByteFrame - MinByteFrame
)

// ByteCodec is the cable_car 1.0.1 byte codec: frames [len][code][payload],
// where len (1 byte) counts the whole frame. Create it with NewByteCodec.
//
// Register every type before the codec is used; after that a ByteCodec is
// safe for concurrent use (Decode and AppendFrame only read the registry).
type ByteCodec struct {
	table  [256]byteEntry // indexed by code: no map on the hot path
	typedN int            // entries with typed paths (Register[T])
}

type byteEntry struct {
	newMsg  func() ByteMessage
	typ     reflect.Type // dynamic type of the values newMsg returns
	decoder bool         // the type implements PayloadDecoder
	typed   *typedEntry  // set by Register[T] (see byte_typed.go); nil otherwise
}

var _ Codec = (*ByteCodec)(nil)

// NewByteCodec returns a byte codec with the built-in messages (MsgIdentify,
// MsgJoin, MsgRetry, MsgQuit) registered. opts may be nil; the byte codec
// has no option of its own (its frames are at most 255 bytes).
func NewByteCodec(opts *Options) *ByteCodec {
	_ = opts
	c := new(ByteCodec)
	for _, f := range builtinByteFactories {
		c.Register(f)
	}
	return c
}

// Register adds the type of the values newMsg returns, under their
// ByteCode. newMsg must return a new, non-nil value (usually a pointer to a
// zero struct) on every call; Decode calls it once per frame and then
// DecodePayload on the result when the type implements PayloadDecoder.
//
// A type without payload methods travels with an empty payload, so it must
// hold no data (a struct with no fields, like MsgJoin): Register refuses a
// type with fields but neither AppendPayload nor DecodePayload, which would
// otherwise arrive zeroed, with a panic whose value is an error wrapping
// ErrNoPayloadMethods and naming the type and its fields.
//
// Register panics if newMsg is nil or returns nil, if the code is already
// taken, or for a type with data but no payload methods: that is a
// programmer error, found at start-up. Register is not safe
// for concurrent use with itself, Decode or AppendFrame: register every type
// before the codec is used.
func (c *ByteCodec) Register(newMsg func() ByteMessage) {
	if newMsg == nil {
		panic("message: ByteCodec.Register: nil factory")
	}
	m := newMsg()
	if m == nil {
		panic("message: ByteCodec.Register: factory returned nil")
	}
	code := m.ByteCode()
	typ := reflect.TypeOf(m)
	if old := c.table[code]; old.newMsg != nil {
		panic(fmt.Sprintf("message: ByteCodec.Register: code %s of %s already registered for %s",
			codeString(code), typ, old.typ))
	}
	_, dec := m.(PayloadDecoder)
	if _, app := m.(PayloadAppender); !dec && !app {
		if data := dataOf(typ); data != "" {
			panic(fmt.Errorf("message: ByteCodec.Register: %s has %s but neither AppendPayload nor DecodePayload, "+
				"so its values would be sent as an empty payload and arrive zeroed; give it both payload methods "+
				"(PayloadAppender and PayloadDecoder), or carry it with the JSON or msgpack codec: %w", typ, data, ErrNoPayloadMethods))
		}
	}
	c.table[code] = byteEntry{newMsg: newMsg, typ: typ, decoder: dec}
}

// dataOf describes the data a value of typ (or, for a pointer, of what it
// points to) holds: "fields X, Y" for a struct with fields, "a value of 8
// bytes" for another type with a size, "" when there is nothing to carry.
func dataOf(typ reflect.Type) string {
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Size() == 0 {
		return ""
	}
	if typ.Kind() != reflect.Struct {
		return fmt.Sprintf("a value of %d bytes", typ.Size())
	}
	var names []string
	for i := range typ.NumField() {
		if f := typ.Field(i); f.Type.Size() != 0 {
			names = append(names, f.Name)
		}
	}
	return "fields " + strings.Join(names, ", ")
}

// Name returns "byte".
func (c *ByteCodec) Name() string { return "byte" }

// AppendFrame appends the byte frame of m to dst. m must be a ByteMessage
// of a registered type (else ErrUnknownType). Its payload is appended by its
// AppendPayload method when it has one; an error from it, or a panic in it
// (recovered; the cause is a *PanicError), is returned wrapped with
// ErrBadPayload, and a payload over MaxBytePayload (253) bytes gives
// ErrTooLarge. On error dst is returned with its original length.
func (c *ByteCodec) AppendFrame(dst []byte, m Message) ([]byte, error) {
	bm, ok := m.(ByteMessage)
	if !ok {
		return dst, encodeError("byte", m, fmt.Errorf("%w: not a ByteMessage", ErrUnknownType))
	}
	code := bm.ByteCode()
	e := &c.table[code]
	if t := e.typed; t != nil && t.append != nil {
		// Register[T]: the type check and the payload call without
		// reflection or assertions to interfaces.
		if out, ok, err := t.append(dst, m); ok {
			return out, err
		}
	}
	if e.typ != reflect.TypeOf(m) {
		return dst, encodeError("byte", m, fmt.Errorf("%w: code %s: type not registered", ErrUnknownType, codeString(code)))
	}
	start := len(dst)
	dst = append(dst, 0, code)
	if pa, ok := m.(PayloadAppender); ok {
		var err error
		dst, err = appendPayload(pa, dst)
		if err != nil {
			return dst[:start], encodeError("byte", m, err)
		}
	}
	n := len(dst) - start
	if n > MaxByteFrame {
		return dst[:start], encodeError("byte", m, fmt.Errorf("%w: payload of %d bytes, at most %d fit", ErrTooLarge, n-MinByteFrame, MaxBytePayload))
	}
	dst[start] = byte(n)
	return dst, nil
}

// Decode decodes the byte frame at the start of buf (see Codec.Decode).
//
// A length byte of 0 or 1 gives ErrBadLength and the stream is unusable:
// the length is all that delimits frames, so there is no way to find the
// next one. An unregistered code gives ErrUnknownType and a payload that the
// type rejects (or a payload sent to a type without PayloadDecoder) gives
// ErrBadPayload, and so does a panic in the type's factory or DecodePayload
// (recovered; the cause is a *PanicError); both skip the frame and the
// stream goes on.
func (c *ByteCodec) Decode(buf []byte) (Message, int, error) {
	if len(buf) == 0 {
		return nil, 0, nil
	}
	n := int(buf[0])
	if n < MinByteFrame {
		return nil, 0, &DecodeError{Codec: "byte", Offset: 0, Err: fmt.Errorf("%w: length byte %d, at least %d", ErrBadLength, n, MinByteFrame)}
	}
	if len(buf) < n {
		return nil, 0, nil
	}
	code := buf[1]
	e := &c.table[code]
	if e.newMsg == nil {
		return nil, n, &DecodeError{Codec: "byte", Type: codeString(code), Offset: 1, Skip: n, Err: ErrUnknownType}
	}
	payload := buf[MinByteFrame:n:n]
	if !e.decoder && len(payload) != 0 {
		return nil, n, &DecodeError{Codec: "byte", Type: codeString(code), Offset: MinByteFrame, Skip: n, Err: fmt.Errorf("%w: %d payload bytes for %s, which has no payload", ErrBadPayload, len(payload), e.typ)}
	}
	var (
		m   Message
		err error
	)
	if e.typed != nil {
		m, err = e.decodeWith(e.typed.decode, payload)
	} else {
		m, err = e.decode(payload)
	}
	if err != nil {
		return nil, n, &DecodeError{Codec: "byte", Type: codeString(code), Offset: MinByteFrame, Skip: n, Err: err}
	}
	return m, n, nil
}

// decode makes a new value and decodes payload into it. An error from
// DecodePayload, or a panic in it or in the factory, gives ErrBadPayload.
func (e *byteEntry) decode(payload []byte) (m Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, panicked("decoding "+e.typ.String(), r)
		}
	}()
	m = e.newMsg()
	if e.decoder {
		if err := m.(PayloadDecoder).DecodePayload(payload); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
		}
	}
	return m, nil
}

// appendPayload calls pa.AppendPayload. Its error, or a panic in it, gives
// ErrBadPayload; after a panic dst is returned as it was.
func appendPayload(pa PayloadAppender, dst []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, panicked(fmt.Sprintf("AppendPayload of %T", pa), r)
		}
	}()
	out, err = pa.AppendPayload(dst)
	if err != nil {
		return out, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return out, nil
}

func codeString(code byte) string {
	const hex = "0123456789abcdef"
	return string([]byte{'0', 'x', hex[code>>4], hex[code&15]})
}
