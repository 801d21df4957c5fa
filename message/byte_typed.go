package message

import (
	"fmt"
	"reflect"
	"unsafe"
)

// The byte codec's typed paths, for types registered with Register[T].
//
// Register knows the type statically, so it gives the codec functions
// that encode and decode it without what the general path pays per frame:
// reflect.TypeOf and an interface comparison to check the type, and an
// assertion to PayloadAppender or PayloadDecoder before the payload call.
// The payload methods are taken once, at registration, as method
// expressions (func(*T, []byte) ...), and called directly.
//
// A Decoder made by NewDecoder also allocates the decoded values from
// blocks of its own, without the atomic operation that the codec's shared
// blocks (Blocks) need, since several goroutines decode with one codec.

// typedEntry holds the functions Register[T] made for one byte type.
type typedEntry struct {
	// append appends m's frame to dst; ok is false when m is not of the
	// type (the general path then reports it).
	append func(dst []byte, m Message) (out []byte, ok bool, err error)
	// appendUnchecked is append without the recover around AppendPayload
	// (see UncheckedEncoder).
	appendUnchecked func(dst []byte, m Message) (out []byte, ok bool, err error)
	// decode makes a value from the codec's shared blocks and decodes
	// payload into it.
	decode func(payload []byte) (Message, error)
	// local returns a decode function with blocks of its own, for one
	// Decoder (one goroutine), and a run function on the same blocks
	// (see byteDecoder.DecodeRun).
	local func() (func(payload []byte) (Message, error), runFunc)
	slot  int // index of local in a Decoder's table
}

// localBlockBytes bounds the block of a Decoder: each Decoder (each
// Messenger) holds one partly used block per type it has received, so
// large types get fewer values per block.
const localBlockBytes = 1024

// registerTyped registers *T with the byte codec c with its typed paths.
func registerTyped[T any, P interface {
	*T
	Message
}](c *ByteCodec) {
	next := Blocks[T](0)
	c.Register(func() ByteMessage { return any(P(next())).(ByteMessage) })
	e := &c.table[any(P(nil)).(ByteMessage).ByteCode()]
	t := &typedEntry{slot: c.typedN}
	c.typedN++

	var (
		dec func(P, []byte) error
		app func(P, []byte) ([]byte, error)
	)
	if _, ok := any(P(nil)).(PayloadDecoder); ok {
		dec = methodExpr[func(P, []byte) error](reflect.TypeFor[P](), "DecodePayload")
	}
	if _, ok := any(P(nil)).(PayloadAppender); ok {
		app = methodExpr[func(P, []byte) ([]byte, error)](reflect.TypeFor[P](), "AppendPayload")
	}
	bc := any(P(nil)).(ByteMessage).ByteCode()

	t.appendUnchecked = func(dst []byte, m Message) ([]byte, bool, error) {
		p, ok := m.(P)
		if !ok || p == nil {
			return dst, false, nil
		}
		start := len(dst)
		dst = append(dst, 0, bc)
		if app != nil {
			var err error
			dst, err = app(p, dst)
			if err != nil {
				return dst[:start], true, encodeError("byte", m, fmt.Errorf("%w: %w", ErrBadPayload, err))
			}
		}
		n := len(dst) - start
		if n > MaxByteFrame {
			return dst[:start], true, encodeError("byte", m, fmt.Errorf("%w: payload of %d bytes, at most %d fit", ErrTooLarge, n-MinByteFrame, MaxBytePayload))
		}
		dst[start] = byte(n)
		return dst, true, nil
	}
	t.append = func(dst []byte, m Message) (out []byte, ok bool, err error) {
		// recover only when appendUnchecked did not return: a recover
		// call on every frame costs more than the frame.
		returned := false
		defer func() {
			if !returned {
				if r := recover(); r != nil {
					out, ok, err = dst, true, encodeError("byte", m, panicked(fmt.Sprintf("AppendPayload of %T", m), r))
				}
			}
		}()
		out, ok, err = t.appendUnchecked(dst, m)
		returned = true
		return out, ok, err
	}
	t.decode = func(payload []byte) (Message, error) {
		p := P(next())
		if dec != nil {
			if err := dec(p, payload); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
			}
		}
		return p, nil
	}
	var zero T
	perBlock := max(1, min(DefaultBlockSize, localBlockBytes/int(unsafe.Sizeof(zero))))
	t.local = func() (func(payload []byte) (Message, error), runFunc) {
		var (
			block []T
			i     int
		)
		one := func(payload []byte) (Message, error) {
			if i == len(block) {
				block, i = make([]T, perBlock), 0
			}
			p := P(&block[i])
			i++
			if dec != nil {
				if err := dec(p, payload); err != nil {
					return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
				}
			}
			return p, nil
		}
		run := func(buf []byte, out []Message, st *runState) {
			for st.k < len(out) {
				b := buf[st.n:]
				if len(b) < MinByteFrame || b[1] != bc {
					return
				}
				n := int(b[0])
				if n < MinByteFrame || len(b) < n || (dec == nil && n != MinByteFrame) {
					return
				}
				if i == len(block) {
					block, i = make([]T, perBlock), 0
				}
				p := P(&block[i])
				i++
				if dec != nil && dec(p, b[MinByteFrame:n:n]) != nil {
					return // Decode reports it
				}
				out[st.k] = p
				st.k++
				st.n += n
			}
		}
		return one, run
	}
	e.typed = t
}

// appendFunc returns append, or appendUnchecked when not checked.
func (t *typedEntry) appendFunc(checked bool) func([]byte, Message) ([]byte, bool, error) {
	if checked {
		return t.append
	}
	return t.appendUnchecked
}

// methodExpr returns the method name of typ as a function that takes the
// receiver first (a method expression), typed F.
func methodExpr[F any](typ reflect.Type, name string) F {
	m, ok := typ.MethodByName(name)
	if !ok {
		panic("message: " + typ.String() + " has no method " + name)
	}
	return m.Func.Interface().(F)
}

// decodeWith calls f(payload), turning a panic into its error (see decode).
// It calls recover only when f did not return: a recover on every frame
// costs about as much as decoding a small one.
func (e *byteEntry) decodeWith(f func([]byte) (Message, error), payload []byte) (m Message, err error) {
	returned := false
	defer func() {
		if !returned {
			if r := recover(); r != nil {
				m, err = nil, panicked("decoding "+e.typ.String(), r)
			}
		}
	}()
	m, err = f(payload)
	returned = true
	return m, err
}

// Decoder decodes frames like Codec.Decode (same arguments, results and
// guarantees). A Decoder belongs to one goroutine at a time.
type Decoder interface {
	Decode(buf []byte) (m Message, n int, err error)
}

// DecoderMaker is implemented by codecs that can give a reader a Decoder
// of its own, faster than the codec's Decode because it shares nothing
// with other goroutines (see ByteCodec.NewDecoder). A Messenger uses one
// when its codec has it.
type DecoderMaker interface {
	NewDecoder() Decoder
}

var _ DecoderMaker = (*ByteCodec)(nil)

// NewDecoder returns a Decoder on c's registry for one goroutine: it
// decodes as c.Decode does, and allocates the values of types registered
// with Register from blocks of its own (at most 1 KiB each, no atomic
// operation per value), where c.Decode shares one block per type among
// all its callers. Register every type before calling NewDecoder.
func (c *ByteCodec) NewDecoder() Decoder {
	d := &byteDecoder{c: c}
	if c.typedN > 0 {
		d.local = make([]func([]byte) (Message, error), c.typedN)
		d.runs = make([]runFunc, c.typedN)
		for i := range c.table {
			if t := c.table[i].typed; t != nil {
				d.local[t.slot], d.runs[t.slot] = t.local()
			}
		}
	}
	return d
}

// byteDecoder is ByteCodec's Decoder.
type byteDecoder struct {
	c     *ByteCodec
	local []func([]byte) (Message, error) // by typedEntry.slot
	runs  []runFunc                       // by typedEntry.slot
	st    runState                        // the progress of the last DecodeRun
}

func (d *byteDecoder) Decode(buf []byte) (Message, int, error) {
	return d.decode(buf, true)
}

// decode is Decode, with the recover around a typed entry's code when
// checked (DecodeUnchecked leaves it to its caller).
func (d *byteDecoder) decode(buf []byte, checked bool) (Message, int, error) {
	if len(buf) < MinByteFrame {
		return d.c.Decode(buf)
	}
	n := int(buf[0])
	e := &d.c.table[buf[1]]
	if e.typed == nil || n < MinByteFrame || len(buf) < n || (!e.decoder && n != MinByteFrame) ||
		e.typed.slot >= len(d.local) { // a type registered after NewDecoder: the codec's path
		return d.c.Decode(buf) // the general path and its errors
	}
	var (
		m   Message
		err error
	)
	if checked {
		m, err = e.decodeWith(d.local[e.typed.slot], buf[MinByteFrame:n:n])
	} else {
		m, err = d.local[e.typed.slot](buf[MinByteFrame:n:n])
	}
	if err != nil {
		return nil, n, &DecodeError{Codec: "byte", Type: codeString(buf[1]), Offset: MinByteFrame, Skip: n, Err: err}
	}
	return m, n, nil
}

// Encoder encodes frames like Codec.AppendFrame (same arguments, results
// and guarantees). An Encoder belongs to one goroutine at a time.
type Encoder interface {
	AppendFrame(dst []byte, m Message) ([]byte, error)
}

// UncheckedEncoder is implemented by Encoders that can let a panic in a
// type's own encoding code (AppendPayload) propagate to their caller
// instead of turning it into an error: a recover on every frame costs
// about as much as encoding a small one. A Messenger's Send uses it: the
// value is the program's own, encoded on the program's goroutine, so a
// panic there is the program's bug like a panic in any of its methods
// (encoding/json lets a MarshalJSON panic propagate the same way).
//
// AppendFrameUnchecked is AppendFrame (same results) except that such a
// panic propagates; dst's length is then unchanged (bytes past it may
// have been written). Decoding is another matter: a peer chooses what is
// decoded, so decoders never let a panic out (see UncheckedDecoder).
type UncheckedEncoder interface {
	Encoder
	AppendFrameUnchecked(dst []byte, m Message) ([]byte, error)
}

// EncoderMaker is implemented by codecs that can give a writer an Encoder
// of its own, faster than the codec's AppendFrame because it keeps state
// between calls (see ByteCodec.NewEncoder). A Messenger uses one when its
// codec has it.
type EncoderMaker interface {
	NewEncoder() Encoder
}

var _ EncoderMaker = (*ByteCodec)(nil)

// NewEncoder returns an Encoder on c's registry for one goroutine: it
// encodes as c.AppendFrame does, and remembers the type registered with
// Register that it encoded last, so that a run of messages of one type
// skips the lookup of the type's code (an interface assertion and a
// method call per message).
func (c *ByteCodec) NewEncoder() Encoder { return &byteEncoder{c: c} }

// byteEncoder is ByteCodec's Encoder.
type byteEncoder struct {
	c    *ByteCodec
	last *typedEntry // the typed entry of the last message encoded; nil if none
}

func (e *byteEncoder) AppendFrame(dst []byte, m Message) ([]byte, error) {
	return e.appendFrame(dst, m, true)
}

var _ UncheckedEncoder = (*byteEncoder)(nil)

// AppendFrameUnchecked is AppendFrame without the recover around the
// AppendPayload of a type registered with Register (see UncheckedEncoder).
func (e *byteEncoder) AppendFrameUnchecked(dst []byte, m Message) ([]byte, error) {
	return e.appendFrame(dst, m, false)
}

// appendFrame encodes m through the typed entry of its type when it has
// one (the last one used first), recovering a panic in AppendPayload when
// checked, and through the codec's general path otherwise.
func (e *byteEncoder) appendFrame(dst []byte, m Message, checked bool) ([]byte, error) {
	if t := e.last; t != nil {
		if out, ok, err := t.appendFunc(checked)(dst, m); ok {
			return out, err
		}
	}
	if bm, ok := m.(ByteMessage); ok {
		if t := e.c.table[bm.ByteCode()].typed; t != nil && t.append != nil {
			e.last = t
			if out, ok, err := t.appendFunc(checked)(dst, m); ok {
				return out, err
			}
		}
	}
	return e.c.AppendFrame(dst, m) // not a typed entry's: the general path
}
