package message

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strconv"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// Msgpack frame layout (see the package documentation):
//
//	[len: 4 bytes, big-endian][id: 2 bytes, big-endian][body: one msgpack value]
//
// len counts the whole frame, itself included.
const (
	msgpackLenSize = 4
	msgpackHeader  = msgpackLenSize + 2
)

// MsgpackMessage is a Message with its own msgpack type id. The msgpack
// codec takes a type's id from MsgpackID when it has the method, else from
// ByteCode when it is a ByteMessage (so the built-ins and byte types need
// nothing more), else it must be registered with RegisterID.
type MsgpackMessage interface {
	Message
	// MsgpackID is the 2-byte id that picks the type in a msgpack frame. It
	// must be the same for every value of the type.
	MsgpackID() uint16
}

// MsgpackCodec carries messages as msgpack (github.com/vmihailenco/msgpack/v5)
// bodies in length-prefixed frames, for messages that are larger than a byte
// frame allows or that have no hand-written payload encoding. Create it with
// NewMsgpackCodec.
//
// Register every type before the codec is used; after that a MsgpackCodec is
// safe for concurrent use.
type MsgpackCodec struct {
	maxFrame int
	byID     map[uint16]*msgpackEntry
	byType   map[reflect.Type]*msgpackEntry
}

type msgpackEntry struct {
	newMsg func() Message
	id     uint16
	typ    reflect.Type
	idStr  string // "0x0010", for errors
	sort   bool   // values can hold a map the library writes unordered (msgpackNeedsSort)
}

var _ Codec = (*MsgpackCodec)(nil)

// NewMsgpackCodec returns a msgpack codec with the built-in messages
// (MsgIdentify, MsgJoin, MsgRetry, MsgQuit, ids 1 to 4 as their byte codes)
// registered. opts may be nil; see Options.MaxFrame for the frame limit.
func NewMsgpackCodec(opts *Options) *MsgpackCodec {
	c := &MsgpackCodec{
		maxFrame: max(opts.maxFrame(), msgpackHeader+1),
		byID:     make(map[uint16]*msgpackEntry),
		byType:   make(map[reflect.Type]*msgpackEntry),
	}
	for _, f := range builtinByteFactories {
		c.Register(func() Message { return f() })
	}
	return c
}

// Register adds the type of the values newMsg returns under its id: its
// MsgpackID when it is a MsgpackMessage, else its ByteCode when it is a
// ByteMessage. For other types use RegisterID. newMsg must return a new,
// non-nil pointer on every call; Decode calls it once per frame and decodes
// the body into the value with msgpack.Decoder.Decode. Struct fields are
// named by their msgpack tag, else their json tag, else their Go name.
//
// Register panics if newMsg is nil or returns nil or a non-pointer, if the
// type has no id, or if the id or the type is already registered: that is a
// programmer error, found at start-up. Register is not safe for concurrent
// use with itself, Decode or AppendFrame: register every type before the
// codec is used.
func (c *MsgpackCodec) Register(newMsg func() Message) {
	m := checkFactory("MsgpackCodec.Register", newMsg)
	switch t := m.(type) {
	case MsgpackMessage:
		c.register(t.MsgpackID(), newMsg, m)
	case ByteMessage:
		c.register(uint16(t.ByteCode()), newMsg, m)
	default:
		panic(fmt.Sprintf("message: MsgpackCodec.Register: %T has neither MsgpackID nor ByteCode; use RegisterID", m))
	}
}

// RegisterID is Register with an explicit id, which overrides the type's
// MsgpackID or ByteCode. It panics in the same cases as Register.
func (c *MsgpackCodec) RegisterID(id uint16, newMsg func() Message) {
	c.register(id, newMsg, checkFactory("MsgpackCodec.RegisterID", newMsg))
}

func checkFactory(op string, newMsg func() Message) Message {
	if newMsg == nil {
		panic("message: " + op + ": nil factory")
	}
	m := newMsg()
	if m == nil {
		panic("message: " + op + ": factory returned nil")
	}
	if reflect.TypeOf(m).Kind() != reflect.Pointer {
		panic(fmt.Sprintf("message: %s: %T is not a pointer, so it cannot be decoded into", op, m))
	}
	if reflect.ValueOf(m).IsNil() {
		panic(fmt.Sprintf("message: %s: factory returned a nil %T", op, m))
	}
	return m
}

func (c *MsgpackCodec) register(id uint16, newMsg func() Message, m Message) {
	typ := reflect.TypeOf(m)
	idStr := msgpackIDString(id)
	if old, ok := c.byID[id]; ok {
		panic(fmt.Sprintf("message: MsgpackCodec.Register: id %s of %s already registered for %s", idStr, typ, old.typ))
	}
	if old, ok := c.byType[typ]; ok {
		panic(fmt.Sprintf("message: MsgpackCodec.Register: type %s already registered under id %s", typ, old.idStr))
	}
	e := &msgpackEntry{newMsg: newMsg, id: id, typ: typ, idStr: idStr, sort: msgpackNeedsSort(typ)}
	c.byID[id] = e
	c.byType[typ] = e
}

func msgpackIDString(id uint16) string {
	s := strconv.FormatUint(uint64(id), 16)
	return "0x" + "0000"[len(s):] + s
}

// Name returns "msgpack".
func (c *MsgpackCodec) Name() string { return "msgpack" }

// msgpackState is the reusable encoder and decoder of one call.
type msgpackState struct {
	w   appendWriter
	enc *msgpack.Encoder
	r   bytes.Reader
	dec *msgpack.Decoder
}

var msgpackStates = sync.Pool{New: func() any {
	s := new(msgpackState)
	s.enc = msgpack.NewEncoder(&s.w)
	s.enc.SetCustomStructTag("json")
	s.enc.UseCompactInts(true)
	s.enc.SetSortMapKeys(true) // deterministic frames: a map's keys in order, as the JSON codec writes them
	s.dec = msgpack.NewDecoder(&s.r)
	s.dec.SetCustomStructTag("json")
	return s
}}

// appendWriter is the msgpack encoder's writer: it appends to a slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *appendWriter) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}

// AppendFrame appends the msgpack frame of m to dst. m must be of a
// registered type (else ErrUnknownType). An encoder error, or a panic in a
// type's own encoder (recovered; the cause is a *PanicError), gives
// ErrBadPayload, a frame over MaxFrame bytes ErrTooLarge. On error dst is
// returned with its original length.
//
// The frame is a function of the value: the entries of every map are
// written in increasing key order (strings bytewise, as the JSON codec
// does; integers by value), not in Go's random map order. For a type that
// holds a map, an interface or a msgpack hook, that includes the map a
// struct is written as: its fields come in name order.
func (c *MsgpackCodec) AppendFrame(dst []byte, m Message) ([]byte, error) {
	e := c.byType[reflect.TypeOf(m)]
	if e == nil {
		return dst, encodeError("msgpack", m, fmt.Errorf("%w: type not registered", ErrUnknownType))
	}
	start := len(dst)
	dst, err := encodeMsgpack(dst, e.id, m)
	if err != nil {
		return dst[:start], encodeError("msgpack", m, err)
	}
	n := len(dst) - start
	if n > c.maxFrame {
		return dst[:start], encodeError("msgpack", m, fmt.Errorf("%w: frame of %d bytes, MaxFrame is %d", ErrTooLarge, n, c.maxFrame))
	}
	if e.sort {
		sortMsgpackMaps(dst[start+msgpackHeader:])
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	return dst, nil
}

// encodeMsgpack appends the frame header (length left 0) and the msgpack
// body of m. An encoder error, or a panic in the library or in a type's own
// encoder (recovered), gives ErrBadPayload; after a panic dst is returned as
// it was and the encoder, whose state is unknown, is dropped.
func encodeMsgpack(dst []byte, id uint16, m Message) (out []byte, err error) {
	s := msgpackStates.Get().(*msgpackState)
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, panicked(fmt.Sprintf("encoding %T", m), r)
			return
		}
		s.w.b = nil
		msgpackStates.Put(s)
	}()
	s.w.b = append(dst, 0, 0, 0, 0, byte(id>>8), byte(id))
	if err := s.enc.Encode(m); err != nil {
		return s.w.b, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return s.w.b, nil
}

// Decode decodes the msgpack frame at the start of buf (see Codec.Decode).
//
// A length prefix below 6 (ErrBadLength) or above MaxFrame (ErrTooLarge) is
// found as soon as its 4 bytes are buffered and makes the stream unusable.
// A whole frame that is bad is skipped: an unregistered id gives
// ErrUnknownType, a body that is not exactly one well-formed msgpack value
// ErrMalformed, and a body the type cannot be decoded from ErrBadPayload, as
// does a panic in the type's factory or decoder (recovered; the cause is a
// *PanicError).
func (c *MsgpackCodec) Decode(buf []byte) (Message, int, error) {
	if len(buf) < msgpackLenSize {
		return nil, 0, nil
	}
	size := binary.BigEndian.Uint32(buf)
	switch {
	case size < msgpackHeader:
		return nil, 0, &DecodeError{Codec: "msgpack", Err: fmt.Errorf("%w: length prefix %d, at least %d", ErrBadLength, size, msgpackHeader)}
	case uint64(size) > uint64(c.maxFrame):
		return nil, 0, &DecodeError{Codec: "msgpack", Err: fmt.Errorf("%w: length prefix %d, MaxFrame is %d", ErrTooLarge, size, c.maxFrame)}
	case uint64(len(buf)) < uint64(size):
		return nil, 0, nil
	}
	n := int(size)
	id := binary.BigEndian.Uint16(buf[msgpackLenSize:])
	e := c.byID[id]
	if e == nil {
		return nil, n, &DecodeError{Codec: "msgpack", Type: msgpackIDString(id), Offset: msgpackLenSize, Skip: n, Err: ErrUnknownType}
	}
	body := buf[msgpackHeader:n:n]
	if err := checkMsgpack(body); err != nil {
		return nil, n, &DecodeError{Codec: "msgpack", Type: e.idStr, Offset: msgpackHeader, Skip: n, Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	m, err := e.decode(body)
	if err != nil {
		return nil, n, &DecodeError{Codec: "msgpack", Type: e.idStr, Offset: msgpackHeader, Skip: n, Err: err}
	}
	return m, n, nil
}

// decode makes a new value and decodes body into it. A decoder error gives
// ErrBadPayload, and so does a panic in the factory, in the msgpack library
// or in a type's own decoder (recovered): a hostile frame must not bring the
// program down. After a panic the decoder, whose state is unknown, is
// dropped.
func (e *msgpackEntry) decode(body []byte) (m Message, err error) {
	s := msgpackStates.Get().(*msgpackState)
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, panicked("decoding "+e.typ.String(), r)
			return
		}
		s.r.Reset(nil)
		msgpackStates.Put(s)
	}()
	m = e.newMsg()
	s.r.Reset(body)
	s.dec.ResetReader(&s.r)
	if err := s.dec.Decode(m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	if s.r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes left after the value", ErrBadPayload, s.r.Len())
	}
	return m, nil
}
