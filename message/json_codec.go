package message

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/cablecar-go/cablecar/message/internal/jsonwire"
)

// JSONCodec is cable_car's JSON codec: one line of JSON per message,
// ["ClassName",{...fields...}] and a newline, written byte for byte as
// Python's json.dumps(..., separators=(',', ':')) writes it. Create it with
// NewJSONCodec. See the package documentation for the mapping of Go values.
//
// Register every type before the codec is used; after that a JSONCodec is
// safe for concurrent use.
type JSONCodec struct {
	maxFrame int
	byName   map[string]*jsonEntry
	byType   map[reflect.Type]*jsonEntry
	names    jsonNames // byName for the decoder
}

type jsonEntry struct {
	newMsg func() Message
	name   string
	typ    reflect.Type   // the dynamic type of newMsg's values: a pointer
	prefix []byte         // `["Name",`
	jt     *jsonwire.Type // compiled codec of typ
	hooks  bool           // encoding typ can run the program's code (jsonwire.RunsUserCode)
}

var (
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

var (
	_ Codec            = (*JSONCodec)(nil)
	_ ResumableDecoder = (*JSONCodec)(nil)
)

// NewJSONCodec returns a JSON codec with the built-in messages (MsgIdentify,
// MsgJoin, MsgRetry, MsgQuit) registered. opts may be nil; see
// Options.MaxFrame for the line limit.
func NewJSONCodec(opts *Options) *JSONCodec {
	c := &JSONCodec{
		maxFrame: opts.maxFrame(),
		byName:   make(map[string]*jsonEntry),
		byType:   make(map[reflect.Type]*jsonEntry),
	}
	for _, f := range builtinByteFactories {
		c.Register(func() Message { return f() })
	}
	return c
}

// Register adds the type of the values newMsg returns, under their
// MessageName. The values must be non-nil pointers to structs (fields map to
// JSON as described in the package documentation), or pointers that
// implement both json.Marshaler (writing a JSON object) and
// json.Unmarshaler. Decode calls newMsg once per line and fills the value
// it returns.
//
// Register panics if newMsg is nil or returns nil, if the name is already
// taken, or if the type has a field JSON cannot carry (a channel, a function,
// a complex number, a map with other than string or integer keys, the
// ",string" tag option): that is a programmer error, found at start-up.
// Register is not safe for concurrent use with itself, Decode or
// AppendFrame: register every type before the codec is used.
func (c *JSONCodec) Register(newMsg func() Message) {
	if newMsg == nil {
		panic("message: JSONCodec.Register: nil factory")
	}
	m := newMsg()
	if m == nil {
		panic("message: JSONCodec.Register: factory returned nil")
	}
	name := m.MessageName()
	typ := reflect.TypeOf(m)
	if old, ok := c.byName[name]; ok {
		panic(fmt.Sprintf("message: JSONCodec.Register: name %q of %s already registered for %s", name, typ, old.typ))
	}
	if old, ok := c.byType[typ]; ok {
		panic(fmt.Sprintf("message: JSONCodec.Register: type %s already registered under name %q", typ, old.name))
	}
	custom := typ.Implements(marshalerType) && typ.Implements(unmarshalerType)
	if typ.Kind() != reflect.Pointer || !custom && typ.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("message: JSONCodec.Register: %s is neither a pointer to a struct nor a pointer that implements json.Marshaler and json.Unmarshaler", typ))
	}
	if reflect.ValueOf(m).IsNil() {
		panic(fmt.Sprintf("message: JSONCodec.Register: factory returned a nil %s", typ))
	}
	jt, err := jsonwire.TypeFor(typ)
	if err != nil {
		panic(fmt.Sprintf("message: JSONCodec.Register: %s: %v", typ, err))
	}
	prefix := append([]byte{'['}, jsonwire.AppendString(nil, name)...)
	e := &jsonEntry{newMsg: newMsg, name: name, typ: typ, prefix: append(prefix, ','), jt: jt, hooks: jsonwire.RunsUserCode(typ)}
	c.byName[name] = e
	c.byType[typ] = e
	c.names.add(e)
}

// Name returns "json".
func (c *JSONCodec) Name() string { return "json" }

// AppendFrame appends the JSON line of m, newline included, to dst. m must be
// of a registered type (else ErrUnknownType). A MarshalJSON error, a panic
// in a MarshalJSON (recovered; the cause is a *PanicError) or a value that
// cannot be encoded gives ErrBadPayload, a line over MaxFrame
// bytes ErrTooLarge. On error dst is returned with its original length.
func (c *JSONCodec) AppendFrame(dst []byte, m Message) ([]byte, error) {
	e := c.byType[reflect.TypeOf(m)]
	if e == nil {
		return dst, encodeError("json", m, fmt.Errorf("%w: type not registered", ErrUnknownType))
	}
	v := reflect.ValueOf(m)
	if v.IsNil() {
		return dst, encodeError("json", m, fmt.Errorf("%w: nil pointer", ErrBadPayload))
	}
	start := len(dst)
	dst = append(dst, e.prefix...)
	obj := len(dst)
	dst, err := e.encode(dst, v)
	if err != nil {
		return dst[:start], encodeError("json", m, err)
	}
	if dst[obj] != '{' {
		return dst[:start], encodeError("json", m, fmt.Errorf("%w: MarshalJSON wrote no JSON object", ErrBadPayload))
	}
	dst = append(dst, ']', '\n')
	if len(dst)-start > c.maxFrame {
		return dst[:start], encodeError("json", m, fmt.Errorf("%w: line of %d bytes, MaxFrame is %d", ErrTooLarge, len(dst)-start, c.maxFrame))
	}
	return dst, nil
}

// encode appends the JSON object of v. A panic in a MarshalJSON or IsZero
// of the type is recovered and gives ErrBadPayload. A type that runs no code
// of the program's own when it is encoded skips the deferred recover, which
// costs a few percent of a small line's encoding time.
func (e *jsonEntry) encode(dst []byte, v reflect.Value) ([]byte, error) {
	if !e.hooks {
		return e.jt.Encode(dst, v)
	}
	return e.encodeRecover(dst, v)
}

func (e *jsonEntry) encodeRecover(dst []byte, v reflect.Value) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, panicked("encoding "+e.typ.String(), r)
		}
	}()
	return e.jt.Encode(dst, v)
}

// Decode decodes the JSON line at the start of buf (see Codec.Decode).
//
// A line of more than MaxFrame bytes (newline included) gives ErrTooLarge as
// soon as MaxFrame bytes are buffered without a newline, and the stream is
// unusable. A bad line is skipped (n is its length, newline included): an
// unregistered name gives ErrUnknownType; invalid UTF-8, bad JSON or a value
// of the wrong shape gives ErrMalformed; an UnmarshalJSON error, or a panic
// in the type's factory or UnmarshalJSON (recovered; the cause is a
// *PanicError), gives ErrBadPayload.
func (c *JSONCodec) Decode(buf []byte) (Message, int, error) {
	return c.DecodeFrom(buf, 0)
}

// DecodeFrom is Decode when buf[:from] is known to hold no newline (see
// ResumableDecoder): the search for the line's end starts at from.
func (c *JSONCodec) DecodeFrom(buf []byte, from int) (Message, int, error) {
	window := buf
	if len(window) > c.maxFrame {
		window = window[:c.maxFrame]
	}
	from = min(max(from, 0), len(window))
	nl := bytes.IndexByte(window[from:], '\n')
	if nl >= 0 {
		nl += from
	}
	if nl < 0 {
		if len(buf) >= c.maxFrame {
			return nil, 0, &DecodeError{Codec: "json", Offset: c.maxFrame, Err: fmt.Errorf("%w: no newline in %d bytes (MaxFrame)", ErrTooLarge, c.maxFrame)}
		}
		return nil, 0, nil
	}
	n := nl + 1
	line := buf[:nl:nl]
	m, typeName, err := c.decodeLine(line)
	if err != nil {
		de := &DecodeError{Codec: "json", Type: typeName, Skip: n, Err: err}
		if off, cause, ok := jsonwire.Offset(err); ok {
			de.Offset, de.Err = off, cause
		}
		return nil, n, de
	}
	return m, n, nil
}

func (c *JSONCodec) decodeLine(line []byte) (Message, string, error) {
	m, typeName, err := c.decodeValidLine(line)
	if err != nil && !utf8.Valid(line) {
		// Invalid UTF-8 anywhere in the line is the error, whatever else
		// is wrong with it.
		return nil, "", jsonwire.InvalidUTF8(invalidUTF8At(line))
	}
	return m, typeName, err
}

// decodeValidLine is decodeLine but for the UTF-8 check of the whole line:
// outside strings a byte above 0x7f is bad JSON anyway, and scanString
// checks the UTF-8 of every string (so no UnmarshalJSON is given invalid
// UTF-8). decodeLine checks the whole line only when this fails.
//
// A panic in the type's own code (its factory, an UnmarshalJSON) or in the
// engine is recovered here and rejects the line with ErrBadPayload.
func (c *JSONCodec) decodeValidLine(line []byte) (m Message, typeName string, err error) {
	defer func() {
		if r := recover(); r != nil {
			op := "decoding a JSON line"
			if typeName != "" {
				op = "decoding " + typeName
			}
			m, err = nil, panicked(op, r)
		}
	}()
	raw, escaped, nameOff, next, err := jsonwire.Head(line)
	if err != nil {
		return nil, "", err
	}
	var e *jsonEntry
	if escaped {
		e = c.names.get(jsonwire.Unescape(nil, raw))
	} else {
		e = c.names.get(raw)
	}
	if e == nil {
		name := raw
		if len(name) > 64 {
			name = name[:64]
		}
		return nil, fmt.Sprintf("%q", name), jsonwire.Error(nameOff, ErrUnknownType)
	}
	typeName = e.name
	obj, err := jsonwire.Open(line, next)
	if err != nil {
		return nil, typeName, err
	}
	m = e.newMsg()
	if err := jsonwire.Body(line, obj, e.jt, reflect.ValueOf(m)); err != nil {
		return nil, typeName, err
	}
	return m, typeName, nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
