package replica

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/cablecar-go/cablecar/message"
)

// ByteCode is the byte code (and msgpack id) of the replica's one message
// type on a Room's codec: register it with Register before the Room is
// made. It must not be taken by an application type.
const ByteCode = 0xE0

// MaxName is the longest name of a published value or a copied state, in
// bytes.
const MaxName = 64

// Frame kinds: the first byte of every replica frame.
const (
	kindSnapshot = 'S' // handle seq hash name values(all)
	kindDelta    = 'D' // handle seq mask values(masked)
	kindCopy     = 'C' // hash name values(all)
	kindObserve  = 'O' // name: send me a snapshot (again)
	kindStop     = 'X' // name: I stopped observing
)

// frame is the replica's message: one replica frame, carried as one
// message of the Room's codec (a byte payload, a msgpack bin).
type frame struct{ b []byte }

func (*frame) MessageName() string { return "cablecar.replica" }
func (*frame) ByteCode() byte      { return ByteCode }

// AppendPayload and DecodePayload carry the frame in the byte codec (up
// to 253 bytes).
func (f *frame) AppendPayload(dst []byte) ([]byte, error) { return append(dst, f.b...), nil }
func (f *frame) DecodePayload(p []byte) error {
	f.b = append([]byte(nil), p...)
	return nil
}

// EncodeMsgpack and DecodeMsgpack carry the frame as one msgpack bin.
func (f *frame) EncodeMsgpack(enc *vmsgpack.Encoder) error { return enc.EncodeBytes(f.b) }
func (f *frame) DecodeMsgpack(dec *vmsgpack.Decoder) error {
	b, err := dec.DecodeBytes()
	f.b = b
	return err
}

// Register registers the replica's message type with c, a byte codec or a
// msgpack codec. Call it before the Room that uses c is made, like every
// registration. It panics if ByteCode is taken, or for another codec
// (the JSON codec cannot carry the replica's binary frames).
func Register(c message.Codec) {
	if n := c.Name(); n != "byte" && n != "msgpack" {
		panic("replica: Register: codec " + n + " cannot carry replica frames (use byte or msgpack)")
	}
	message.RegisterAll(c, func() message.Message { return new(frame) })
}

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

func (r *reader) name() string {
	n := r.uvarint()
	if r.err == nil && (n == 0 || n > MaxName) {
		r.fail(fmt.Errorf("%w: name of %d bytes", ErrMalformed, n))
		return ""
	}
	return string(r.bytes(n))
}

func (r *reader) end() {
	if r.err == nil && len(r.p) != 0 {
		r.fail(fmt.Errorf("%w: %d bytes after the frame", ErrMalformed, len(r.p)))
	}
}

// appendAll appends the value of every leaf of s at base.
func appendAll(dst []byte, s *schema, base unsafe.Pointer) []byte {
	for i := range s.leaves {
		dst = appendLeaf(dst, &s.leaves[i], base)
	}
	return dst
}

// readAll reads every leaf of s into base.
func (r *reader) readAll(s *schema, base unsafe.Pointer) {
	for i := 0; i < len(s.leaves) && r.err == nil; i++ {
		r.readLeaf(&s.leaves[i], base)
	}
}

// appendMask appends the mask of f: the number of zero bytes skipped,
// the number of bytes that follow, and those bytes (bit j of byte k is
// field number 8*(skip+k)+j), without trailing zero bytes.
func appendMask(dst []byte, f Fields) []byte {
	first, last := -1, -1
	for i := 0; i < len(f.bits)*8; i++ {
		if byte(f.bits[i/8]>>(8*(i%8))) != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return append(dst, 0, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(first))
	dst = binary.AppendUvarint(dst, uint64(last-first+1))
	for i := first; i <= last; i++ {
		dst = append(dst, byte(f.bits[i/8]>>(8*(i%8))))
	}
	return dst
}

// readMask reads a mask for s into f (cleared first), checking every
// number it names.
func (r *reader) readMask(s *schema, f *Fields) {
	f.clear()
	skip := r.uvarint()
	n := r.uvarint()
	span := uint64(len(s.byNum))
	if r.err == nil && (skip > MaxFields/8 || n > MaxFields/8) {
		r.fail(fmt.Errorf("%w: mask of %d bytes after %d", ErrMaskRange, n, skip))
	}
	b := r.bytes(n)
	if r.err != nil {
		return
	}
	for k, by := range b {
		for ; by != 0; by &= by - 1 {
			num := (skip+uint64(k))*8 + uint64(bits.TrailingZeros8(by))
			switch {
			case num >= span:
				r.fail(fmt.Errorf("%w: field %d, the type has %d", ErrMaskRange, num, span))
				return
			case s.byNum[num] < 0:
				r.fail(fmt.Errorf("%w: %d", ErrUnknownField, num))
				return
			}
			f.set(int(num))
		}
	}
}

// appendDelta appends a delta frame: the fields of changed, with their
// values at base.
func appendDelta(dst []byte, s *schema, handle, seq uint64, changed Fields, base unsafe.Pointer) []byte {
	dst = append(dst, kindDelta)
	dst = binary.AppendUvarint(dst, handle)
	dst = binary.AppendUvarint(dst, seq)
	dst = appendMask(dst, changed)
	for i := range s.leaves {
		if changed.HasNum(s.leaves[i].num) {
			dst = appendLeaf(dst, &s.leaves[i], base)
		}
	}
	return dst
}

// delta is a parsed delta header.
type delta struct {
	handle, seq uint64
}

// readDeltaHeader reads the handle and sequence number of a delta frame
// (after its kind byte).
func (r *reader) readDeltaHeader() delta {
	return delta{handle: r.uvarint(), seq: r.uvarint()}
}

// readDeltaBody reads a delta's mask and values into base (a scratch
// copy: on error it may hold a part of them) and the changed fields into
// f.
func (r *reader) readDeltaBody(s *schema, f *Fields, base unsafe.Pointer) {
	r.readMask(s, f)
	for i := 0; i < len(s.leaves) && r.err == nil; i++ {
		if f.HasNum(s.leaves[i].num) {
			r.readLeaf(&s.leaves[i], base)
		}
	}
	r.end()
}

// appendSnapshot appends a snapshot frame of the value at base.
func appendSnapshot(dst []byte, s *schema, handle, seq uint64, name string, base unsafe.Pointer) []byte {
	dst = append(dst, kindSnapshot)
	dst = appendHeaderSnap(dst, s, handle, seq, name)
	return appendAll(dst, s, base)
}

func appendHeaderSnap(dst []byte, s *schema, handle, seq uint64, name string) []byte {
	dst = binary.AppendUvarint(dst, handle)
	dst = binary.AppendUvarint(dst, seq)
	dst = binary.LittleEndian.AppendUint64(dst, s.hash)
	return appendString(dst, name)
}

// snapHeader is a parsed snapshot header.
type snapHeader struct {
	handle, seq, hash uint64
	name              string
}

func (r *reader) readSnapHeader() snapHeader {
	var h snapHeader
	h.handle = r.uvarint()
	h.seq = r.uvarint()
	b := r.bytes(8)
	if r.err == nil {
		h.hash = binary.LittleEndian.Uint64(b)
	}
	h.name = r.name()
	return h
}

// readState checks hash against s and reads every value into base.
func (r *reader) readState(s *schema, hash uint64, base unsafe.Pointer) {
	if r.err == nil && hash != s.hash {
		r.fail(fmt.Errorf("%w: the state's schema is not %v's", ErrWrongType, s.typ))
		return
	}
	r.readAll(s, base)
	r.end()
}

func appendCopy(dst []byte, s *schema, name string, base unsafe.Pointer) []byte {
	dst = append(dst, kindCopy)
	dst = binary.LittleEndian.AppendUint64(dst, s.hash)
	dst = appendString(dst, name)
	return appendAll(dst, s, base)
}

func appendNamed(dst []byte, kind byte, name string) []byte {
	return appendString(append(dst, kind), name)
}
