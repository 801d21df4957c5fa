package replica

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/cablecar-go/cablecar/message"
)

// ByteCode is the byte code (and msgpack id) of the replica's one message
// type on a Room's codec: register it with Register before the Room is
// made. It must not be taken by an application type.
const ByteCode = 0xE0

// MaxName is the longest name of a published value or a copied state, in
// bytes.
const MaxName = 64

// Frame kinds: the first byte of every replica frame (a byte of 0x80 or
// more is a short delta: kindShort|handle, for handles 1..127).
const (
	kindSnapshot = 'S'  // handle seq hash name values(all)
	kindDelta    = 'D'  // handle seq8 mask values(masked)
	kindCopy     = 'C'  // hash name values(all)
	kindObserve  = 'O'  // name: send me a snapshot (again)
	kindStop     = 'X'  // name: I stopped observing
	kindBatch    = 'B'  // (len frame)...: several frames for one peer
	kindShort    = 0x80 // |handle: seq8 mask values(masked)
	maxShort     = 0x7f // the largest handle of a short delta
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

// MsgpackRaw makes the frame a msgpack.RawMessage: the msgpack codec
// carries its bytes as they are, after a 2- or 3-byte header.
func (*frame) MsgpackRaw() {}

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

// A mask names the fields of a delta. Its first varint h says how:
//
//	h&3 == 0  bit mask: skip = h>>2 zero bytes left out, a varint count
//	          of bytes, the bytes (bit j of byte k is field 8*(skip+k)+j)
//	h&3 == 1  one run: fields start .. start+len-1, with
//	          h>>2 = start<<3 | (len-1), len 1..8
//	h&3 == 2  runs: n = h>>2 of them, each a varint gap (its start less
//	          the end of the one before, the first from 0) and a varint
//	          len-1
//
// The sender writes whichever is shortest.
const (
	maskBits = 0
	maskRun  = 1
	maskRuns = 2
)

// appendMask appends the mask of f, in the shortest of the three forms.
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
		return append(dst, maskBits, 0)
	}
	bitsLen := uvarintLen(uint64(first)<<2) + uvarintLen(uint64(last-first+1)) + last - first + 1
	nruns, runsLen, prevEnd, s0, n0 := 0, 0, 0, 0, 0
	f.runs(func(start, n int) {
		if nruns == 0 {
			s0, n0 = start, n
		}
		nruns++
		runsLen += uvarintLen(uint64(start-prevEnd)) + uvarintLen(uint64(n-1))
		prevEnd = start + n
	})
	runsLen += uvarintLen(uint64(nruns) << 2)
	if nruns == 1 && n0 <= 8 {
		h := uint64(s0<<3|(n0-1))<<2 | maskRun
		if l := uvarintLen(h); l <= bitsLen && l <= runsLen {
			return binary.AppendUvarint(dst, h)
		}
	}
	if runsLen < bitsLen {
		dst = binary.AppendUvarint(dst, uint64(nruns)<<2|maskRuns)
		prevEnd = 0
		f.runs(func(start, n int) {
			dst = binary.AppendUvarint(dst, uint64(start-prevEnd))
			dst = binary.AppendUvarint(dst, uint64(n-1))
			prevEnd = start + n
		})
		return dst
	}
	dst = binary.AppendUvarint(dst, uint64(first)<<2|maskBits)
	dst = binary.AppendUvarint(dst, uint64(last-first+1))
	for i := first; i <= last; i++ {
		dst = append(dst, byte(f.bits[i/8]>>(8*(i%8))))
	}
	return dst
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// readMask reads a mask for s into f (cleared first), checking every
// number it names.
func (r *reader) readMask(s *schema, f *Fields) {
	f.clear()
	h := r.uvarint()
	if r.err != nil {
		return
	}
	span := uint64(len(s.byNum))
	switch h & 3 {
	case maskBits:
		skip := h >> 2
		n := r.uvarint()
		if r.err == nil && (skip > MaxFields/8 || n > MaxFields/8) {
			r.fail(fmt.Errorf("%w: mask of %d bytes after %d", ErrMaskRange, n, skip))
		}
		b := r.bytes(n)
		for k, by := range b {
			for ; by != 0; by &= by - 1 {
				if !r.maskField(s, f, (skip+uint64(k))*8+uint64(bits.TrailingZeros8(by)), span) {
					return
				}
			}
		}
	case maskRun:
		r.maskRun(s, f, h>>5, h>>2&7+1, span)
	case maskRuns:
		n := h >> 2
		if n == 0 || n > uint64(len(r.p)) {
			r.fail(fmt.Errorf("%w: %d runs", ErrMalformed, n))
			return
		}
		end := uint64(0)
		for ; n > 0 && r.err == nil; n-- {
			gap, l := r.uvarint(), r.uvarint()
			if r.err != nil {
				return
			}
			if gap >= span || l >= span {
				r.fail(fmt.Errorf("%w: run of %d at %d past %d", ErrMaskRange, l+1, gap, end))
				return
			}
			r.maskRun(s, f, end+gap, l+1, span)
			end += gap + l + 1
		}
	default:
		r.fail(fmt.Errorf("%w: mask form %d", ErrMalformed, h&3))
	}
}

// maskRun adds fields start..start+n-1 to f.
func (r *reader) maskRun(s *schema, f *Fields, start, n, span uint64) {
	if start >= span || n > span-start {
		r.fail(fmt.Errorf("%w: fields %d..%d, the type has %d", ErrMaskRange, start, start+n-1, span))
		return
	}
	for num := start; num < start+n; num++ {
		if !r.maskField(s, f, num, span) {
			return
		}
	}
}

// maskField adds field num to f, or fails.
func (r *reader) maskField(s *schema, f *Fields, num, span uint64) bool {
	switch {
	case num >= span:
		r.fail(fmt.Errorf("%w: field %d, the type has %d", ErrMaskRange, num, span))
		return false
	case s.byNum[num] < 0:
		r.fail(fmt.Errorf("%w: %d", ErrUnknownField, num))
		return false
	}
	f.set(int(num))
	return true
}

// appendDelta appends a delta frame: the fields of changed, with their
// values at base.
func appendDelta(dst []byte, s *schema, handle, seq uint64, changed Fields, base unsafe.Pointer) []byte {
	if handle >= 1 && handle <= maxShort {
		dst = append(dst, kindShort|byte(handle))
	} else {
		dst = binary.AppendUvarint(append(dst, kindDelta), handle)
	}
	dst = append(dst, byte(seq))
	dst = appendMask(dst, changed)
	for i := range s.leaves {
		if changed.HasNum(s.leaves[i].num) {
			dst = appendLeaf(dst, &s.leaves[i], base)
		}
	}
	return dst
}

// delta is a parsed delta header: the handle, and the sequence number
// modulo 256.
type delta struct {
	handle uint64
	seq    byte
}

// readDeltaHeader reads the handle and sequence number of a delta frame
// whose kind byte was kind.
func (r *reader) readDeltaHeader(kind byte) delta {
	var d delta
	if kind >= kindShort {
		d.handle = uint64(kind &^ kindShort)
	} else {
		d.handle = r.uvarint()
	}
	d.seq = r.byte()
	return d
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
