package msgpack

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strconv"
	"sync"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/cablecar-go/cablecar/message"
)

// Msgpack frame layout (see the package documentation):
//
//	[len: 4 bytes, big-endian][id: 2 bytes, big-endian][body: one msgpack value]
//
// len counts the whole frame, itself included. A RawMessage's frame has
// a shorter header when it fits (see the package documentation):
//
//	[10nnnnnn][id: 1 byte][payload]              n: the frame's length, 2..63
//	[11nnnnnn nnnnnnnn][id: 1 byte][payload]     n: 3..16383
const (
	msgpackLenSize = 4
	msgpackHeader  = msgpackLenSize + 2
	maxShort       = 0x3f   // the longest frame with a 2-byte header
	maxMedium      = 0x3fff // the longest frame with a 3-byte header
	maxLong        = 1<<31 - 1
)

// RawMessage is a message that writes its own msgpack body: the codec
// frames the bytes of its AppendPayload as they are (not as a msgpack
// value) and hands a frame's body to its DecodePayload, as the byte codec
// does, and a frame of up to 16383 bytes whose id is below 256 gets a 2-
// or 3-byte header instead of 6. It is for types that already have a
// compact binary form (cablecar's replica frames).
type RawMessage interface {
	message.ByteMessage
	message.PayloadAppender
	message.PayloadDecoder
	// MsgpackRaw marks the type; it is never called.
	MsgpackRaw()
}

// Message is a message with its own msgpack type id. The codec takes a
// type's id from MsgpackID when it has the method, else from ByteCode when
// it is a message.ByteMessage (so the built-ins and byte types need nothing
// more), else it must be registered with RegisterID.
type Message interface {
	message.Message
	// MsgpackID is the 2-byte id that picks the type in a msgpack frame. It
	// must be the same for every value of the type.
	MsgpackID() uint16
}

// Codec carries messages as msgpack (github.com/vmihailenco/msgpack/v5)
// bodies in length-prefixed frames, for messages that are larger than a byte
// frame allows or that have no hand-written payload encoding. Create it with
// NewCodec.
//
// Register every type before the codec is used; after that a Codec is safe
// for concurrent use.
type Codec struct {
	maxFrame int
	byID     map[uint16]*msgpackEntry
	byType   map[reflect.Type]*msgpackEntry
}

type msgpackEntry struct {
	newMsg func() message.Message
	id     uint16
	typ    reflect.Type
	idStr  string // "0x0010", for errors
	sort   bool   // values can hold a map the library writes unordered (msgpackNeedsSort)
	raw    bool   // a RawMessage: the body is its payload
}

var _ message.Codec = (*Codec)(nil)

// builtins are the built-in messages of package message, registered by
// NewCodec under their byte codes.
var builtins = []func() message.Message{
	func() message.Message { return new(message.MsgIdentify) },
	func() message.Message { return new(message.MsgJoin) },
	func() message.Message { return new(message.MsgRetry) },
	func() message.Message { return new(message.MsgQuit) },
}

func init() {
	message.RegisterCodec("msgpack", func(opts *message.Options) message.Codec { return NewCodec(opts) })
}

// NewCodec returns a msgpack codec with the built-in messages
// (message.MsgIdentify, MsgJoin, MsgRetry, MsgQuit, ids 1 to 4 as their
// byte codes) registered. opts may be nil; see message.Options.MaxFrame for
// the frame limit (DefaultMaxFrame, 1 MiB, when 0).
func NewCodec(opts *message.Options) *Codec {
	maxFrame := message.DefaultMaxFrame
	if opts != nil && opts.MaxFrame > 0 {
		maxFrame = opts.MaxFrame
	}
	c := &Codec{
		maxFrame: min(max(maxFrame, msgpackHeader+1), maxLong),
		byID:     make(map[uint16]*msgpackEntry),
		byType:   make(map[reflect.Type]*msgpackEntry),
	}
	for _, f := range builtins {
		c.Register(f)
	}
	return c
}

// Register adds the type of the values newMsg returns under its id: its
// MsgpackID when it is a Message, else its ByteCode when it is a
// message.ByteMessage. For other types use RegisterID. newMsg must return a new,
// non-nil pointer on every call; Decode calls it once per frame and decodes
// the body into the value with msgpack.Decoder.Decode. Struct fields are
// named by their msgpack tag, else their json tag, else their Go name.
//
// Register panics if newMsg is nil or returns nil or a non-pointer, if the
// type has no id, or if the id or the type is already registered: that is a
// programmer error, found at start-up. Register is not safe for concurrent
// use with itself, Decode or AppendFrame: register every type before the
// codec is used.
func (c *Codec) Register(newMsg func() message.Message) {
	m := checkFactory("Codec.Register", newMsg)
	switch t := m.(type) {
	case Message:
		c.register(t.MsgpackID(), newMsg, m)
	case message.ByteMessage:
		c.register(uint16(t.ByteCode()), newMsg, m)
	default:
		panic(fmt.Sprintf("message/msgpack: Codec.Register: %T has neither MsgpackID nor ByteCode; use RegisterID", m))
	}
}

// RegisterID is Register with an explicit id, which overrides the type's
// MsgpackID or ByteCode. It panics in the same cases as Register.
func (c *Codec) RegisterID(id uint16, newMsg func() message.Message) {
	c.register(id, newMsg, checkFactory("Codec.RegisterID", newMsg))
}

func checkFactory(op string, newMsg func() message.Message) message.Message {
	if newMsg == nil {
		panic("message/msgpack: " + op + ": nil factory")
	}
	m := newMsg()
	if m == nil {
		panic("message/msgpack: " + op + ": factory returned nil")
	}
	if reflect.TypeOf(m).Kind() != reflect.Pointer {
		panic(fmt.Sprintf("message/msgpack: %s: %T is not a pointer, so it cannot be decoded into", op, m))
	}
	if reflect.ValueOf(m).IsNil() {
		panic(fmt.Sprintf("message/msgpack: %s: factory returned a nil %T", op, m))
	}
	return m
}

func (c *Codec) register(id uint16, newMsg func() message.Message, m message.Message) {
	typ := reflect.TypeOf(m)
	idStr := msgpackIDString(id)
	if old, ok := c.byID[id]; ok {
		panic(fmt.Sprintf("message/msgpack: Codec.Register: id %s of %s already registered for %s", idStr, typ, old.typ))
	}
	if old, ok := c.byType[typ]; ok {
		panic(fmt.Sprintf("message/msgpack: Codec.Register: type %s already registered under id %s", typ, old.idStr))
	}
	_, raw := m.(RawMessage)
	e := &msgpackEntry{newMsg: newMsg, id: id, typ: typ, idStr: idStr, raw: raw}
	if !raw {
		e.sort = msgpackNeedsSort(typ)
	}
	c.byID[id] = e
	c.byType[typ] = e
}

func msgpackIDString(id uint16) string {
	s := strconv.FormatUint(uint64(id), 16)
	return "0x" + "0000"[len(s):] + s
}

// Name returns "msgpack".
func (c *Codec) Name() string { return "msgpack" }

// msgpackState is the reusable encoder and decoder of one call.
type msgpackState struct {
	w   appendWriter
	enc *vmsgpack.Encoder
	r   bytes.Reader
	dec *vmsgpack.Decoder
}

var msgpackStates = sync.Pool{New: func() any {
	s := new(msgpackState)
	s.enc = vmsgpack.NewEncoder(&s.w)
	s.enc.SetCustomStructTag("json")
	s.enc.UseCompactInts(true)
	s.enc.SetSortMapKeys(true) // deterministic frames: a map's keys in order, as the JSON codec writes them
	s.dec = vmsgpack.NewDecoder(&s.r)
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
func (c *Codec) AppendFrame(dst []byte, m message.Message) ([]byte, error) {
	e := c.byType[reflect.TypeOf(m)]
	if e == nil {
		return dst, encodeError(m, fmt.Errorf("%w: type not registered", message.ErrUnknownType))
	}
	if e.raw {
		return c.appendRaw(dst, e, m.(RawMessage))
	}
	start := len(dst)
	dst, err := encodeMsgpack(dst, e.id, m)
	if err != nil {
		return dst[:start], encodeError(m, err)
	}
	n := len(dst) - start
	if n > c.maxFrame {
		return dst[:start], encodeError(m, fmt.Errorf("%w: frame of %d bytes, MaxFrame is %d", message.ErrTooLarge, n, c.maxFrame))
	}
	if e.sort {
		sortMsgpackMaps(dst[start+msgpackHeader:])
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	return dst, nil
}

// appendRaw appends the frame of a RawMessage: its payload after the
// shortest header that fits.
func (c *Codec) appendRaw(dst []byte, e *msgpackEntry, m RawMessage) (out []byte, err error) {
	start := len(dst)
	defer func() {
		if r := recover(); r != nil {
			out, err = dst[:start], encodeError(m, panicked(fmt.Sprintf("encoding %T", m), r))
		}
	}()
	dst = append(dst, 0, 0, 0, 0, 0, 0) // room for the longest header
	dst, err = m.AppendPayload(dst)
	if err != nil {
		return dst[:start], encodeError(m, fmt.Errorf("%w: %w", message.ErrBadPayload, err))
	}
	body := len(dst) - start - msgpackHeader
	var buf [msgpackHeader]byte
	var hdr []byte
	switch {
	case e.id <= 0xff && body+2 <= maxShort:
		hdr = append(buf[:0], 0x80|byte(body+2), byte(e.id))
	case e.id <= 0xff && body+3 <= maxMedium:
		hdr = append(buf[:0], 0xc0|byte((body+3)>>8), byte(body+3), byte(e.id))
	default:
		hdr = binary.BigEndian.AppendUint32(buf[:0], uint32(body+msgpackHeader))
		hdr = binary.BigEndian.AppendUint16(hdr, e.id)
	}
	if n := len(hdr) + body; n > c.maxFrame {
		return dst[:start], encodeError(m, fmt.Errorf("%w: frame of %d bytes, MaxFrame is %d", message.ErrTooLarge, n, c.maxFrame))
	}
	if len(hdr) < msgpackHeader {
		copy(dst[start+len(hdr):], dst[start+msgpackHeader:])
		dst = dst[:start+len(hdr)+body]
	}
	copy(dst[start:], hdr)
	return dst, nil
}

// encodeMsgpack appends the frame header (length left 0) and the msgpack
// body of m. An encoder error, or a panic in the library or in a type's own
// encoder (recovered), gives ErrBadPayload; after a panic dst is returned as
// it was and the encoder, whose state is unknown, is dropped.
func encodeMsgpack(dst []byte, id uint16, m message.Message) (out []byte, err error) {
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
		return s.w.b, fmt.Errorf("%w: %w", message.ErrBadPayload, err)
	}
	return s.w.b, nil
}

// Decode decodes the msgpack frame at the start of buf (see Codec.Decode).
//
// A length prefix below its header's size (6, or 2 and 3 for the short
// headers: ErrBadLength) or above MaxFrame (ErrTooLarge) is found as soon
// as the header is buffered and makes the stream unusable. A whole frame
// that is bad is skipped: an unregistered id gives ErrUnknownType, a body
// that is not exactly one well-formed msgpack value ErrMalformed (a
// RawMessage's body is not checked: its DecodePayload reads it), and a
// body the type cannot be decoded from ErrBadPayload, as does a panic in
// the type's factory or decoder (recovered; the cause is a *PanicError).
func (c *Codec) Decode(buf []byte) (message.Message, int, error) {
	if len(buf) == 0 {
		return nil, 0, nil
	}
	var size uint32
	var hdr int
	var id uint16
	switch b := buf[0]; {
	case b&0xc0 == 0x80: // short header
		if len(buf) < 2 {
			return nil, 0, nil
		}
		size, hdr, id = uint32(b&0x3f), 2, uint16(buf[1])
	case b&0xc0 == 0xc0: // medium header
		if len(buf) < 3 {
			return nil, 0, nil
		}
		size, hdr, id = uint32(b&0x3f)<<8|uint32(buf[1]), 3, uint16(buf[2])
	default:
		if len(buf) < msgpackLenSize {
			return nil, 0, nil
		}
		size, hdr = binary.BigEndian.Uint32(buf), msgpackHeader
	}
	switch {
	case size < uint32(hdr):
		return nil, 0, &message.DecodeError{Codec: "msgpack", Err: fmt.Errorf("%w: length prefix %d, at least %d", message.ErrBadLength, size, hdr)}
	case uint64(size) > uint64(c.maxFrame):
		return nil, 0, &message.DecodeError{Codec: "msgpack", Err: fmt.Errorf("%w: length prefix %d, MaxFrame is %d", message.ErrTooLarge, size, c.maxFrame)}
	case uint64(len(buf)) < uint64(size):
		return nil, 0, nil
	}
	n := int(size)
	if hdr == msgpackHeader {
		id = binary.BigEndian.Uint16(buf[msgpackLenSize:])
	}
	e := c.byID[id]
	if e == nil {
		return nil, n, &message.DecodeError{Codec: "msgpack", Type: msgpackIDString(id), Offset: min(hdr-1, msgpackLenSize), Skip: n, Err: message.ErrUnknownType}
	}
	body := buf[hdr:n:n]
	if e.raw {
		m, err := e.decodeRaw(body)
		if err != nil {
			return nil, n, &message.DecodeError{Codec: "msgpack", Type: e.idStr, Offset: hdr, Skip: n, Err: err}
		}
		return m, n, nil
	}
	if err := checkMsgpack(body); err != nil {
		return nil, n, &message.DecodeError{Codec: "msgpack", Type: e.idStr, Offset: hdr, Skip: n, Err: fmt.Errorf("%w: %w", message.ErrMalformed, err)}
	}
	m, err := e.decode(body)
	if err != nil {
		return nil, n, &message.DecodeError{Codec: "msgpack", Type: e.idStr, Offset: hdr, Skip: n, Err: err}
	}
	return m, n, nil
}

// decodeRaw makes a new RawMessage and hands it body; an error or a panic
// (recovered) gives ErrBadPayload.
func (e *msgpackEntry) decodeRaw(body []byte) (m message.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, panicked("decoding "+e.typ.String(), r)
		}
	}()
	m = e.newMsg()
	if err := m.(RawMessage).DecodePayload(body); err != nil {
		return nil, fmt.Errorf("%w: %w", message.ErrBadPayload, err)
	}
	return m, nil
}

// decode makes a new value and decodes body into it. A decoder error gives
// ErrBadPayload, and so does a panic in the factory, in the msgpack library
// or in a type's own decoder (recovered): a hostile frame must not bring the
// program down. After a panic the decoder, whose state is unknown, is
// dropped.
func (e *msgpackEntry) decode(body []byte) (m message.Message, err error) {
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
		return nil, fmt.Errorf("%w: %w", message.ErrBadPayload, err)
	}
	if s.r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes left after the value", message.ErrBadPayload, s.r.Len())
	}
	return m, nil
}

func encodeError(m message.Message, err error) error {
	return &message.EncodeError{Codec: "msgpack", Type: fmt.Sprintf("%T", m), Err: err}
}

// panicked returns the error for a recovered panic: ErrBadPayload wrapping
// a *message.PanicError.
func panicked(op string, r any) error {
	return fmt.Errorf("%w: %w", message.ErrBadPayload, &message.PanicError{Op: op, Value: r})
}
