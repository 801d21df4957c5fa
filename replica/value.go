package replica

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"
)

// Values on the wire (see the package documentation, "Wire"):
//
//	bool            1 byte, 0 or 1
//	int, int8..64   zigzag varint
//	uint, uint8..64 varint
//	float32/64      varint zigzag(i)<<1 when the value is an integer i
//	                (|i| < 2^24 / 2^53, not -0), else the byte 0x01 and
//	                the 4 / 8 bytes of the value, little-endian
//	string, []byte  varint length, bytes
//	slice           varint count, elements
//	map             varint count, key/value pairs sorted by key bytes
//	array, struct   elements / exported fields in order, without a count

// reader is the bounded parser's cursor.
type reader struct {
	p   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.p) == 0 {
		r.fail(fmt.Errorf("%w: truncated", ErrMalformed))
		return 0
	}
	b := r.p[0]
	r.p = r.p[1:]
	return b
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.p)
	if n <= 0 {
		r.fail(fmt.Errorf("%w: bad varint", ErrMalformed))
		return 0
	}
	r.p = r.p[n:]
	return v
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.p)) {
		r.fail(fmt.Errorf("%w: length %d beyond the frame", ErrMalformed, n))
		return nil
	}
	b := r.p[:n]
	r.p = r.p[n:]
	return b
}

// count reads a count of elements, each at least one byte unless the
// element can be empty; it is bounded by the bytes left either way.
func (r *reader) count() int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.p)) {
		r.fail(fmt.Errorf("%w: count %d beyond the frame", ErrMalformed, n))
		return 0
	}
	return int(n)
}

func zigzag(i int64) uint64 { return uint64(i<<1) ^ uint64(i>>63) }

func appendFloat(dst []byte, f float64, bits int) []byte {
	limit := float64(1 << 53)
	if bits == 32 {
		limit = 1 << 24
	}
	if i := int64(f); float64(i) == f && math.Abs(f) < limit && !(f == 0 && math.Signbit(f)) {
		return binary.AppendUvarint(dst, zigzag(i)<<1)
	}
	dst = append(dst, 1)
	if bits == 32 {
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(f)))
	}
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

func (r *reader) float(bits int) float64 {
	u := r.uvarint()
	if r.err != nil {
		return 0
	}
	if u&1 == 0 {
		u >>= 1
		return float64(int64(u>>1) ^ -int64(u&1))
	}
	if u != 1 {
		r.fail(fmt.Errorf("%w: bad float prefix %#x", ErrWrongType, u))
		return 0
	}
	if bits == 32 {
		b := r.bytes(4)
		if b == nil {
			return 0
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	}
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// escape is the varint that a stepped float's exact bits follow: a NaN,
// an infinity or a value of 2^53 steps or more.
const escape = math.MaxUint64

// maxSteps bounds the multiple of a step that travels as one.
const maxSteps = 1 << 53

// quantise is f as a multiple of a step (inv is 1/step), and whether it
// is one that travels as such.
func quantise(f, inv float64) (int64, bool) {
	q := math.Round(f * inv)
	if !(math.Abs(q) < maxSteps) { // NaN too
		return 0, false
	}
	return int64(q), true
}

func appendStep(dst []byte, f, inv float64, bits int) []byte {
	if k, ok := quantise(f, inv); ok {
		return binary.AppendUvarint(dst, zigzag(k))
	}
	dst = binary.AppendUvarint(dst, escape)
	if bits == 32 {
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(f)))
	}
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

func (r *reader) step(step float64, bits int) float64 {
	u := r.uvarint()
	if r.err != nil {
		return 0
	}
	if u == escape {
		if bits == 32 {
			if b := r.bytes(4); b != nil {
				return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
			}
			return 0
		}
		if b := r.bytes(8); b != nil {
			return math.Float64frombits(binary.LittleEndian.Uint64(b))
		}
		return 0
	}
	k := int64(u>>1) ^ -int64(u&1)
	if k <= -maxSteps || k >= maxSteps {
		r.fail(fmt.Errorf("%w: %d steps", ErrWrongType, k))
		return 0
	}
	return float64(k) * step
}

// appendLeaf appends the value of leaf l of the value at base.
func appendLeaf(dst []byte, l *leaf, base unsafe.Pointer) []byte {
	p := l.ptr(base)
	switch l.kind {
	case kBool:
		if *(*bool)(p) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case kInt:
		return binary.AppendUvarint(dst, zigzag(int64(*(*int)(p))))
	case kInt8:
		return binary.AppendUvarint(dst, zigzag(int64(*(*int8)(p))))
	case kInt16:
		return binary.AppendUvarint(dst, zigzag(int64(*(*int16)(p))))
	case kInt32:
		return binary.AppendUvarint(dst, zigzag(int64(*(*int32)(p))))
	case kInt64:
		return binary.AppendUvarint(dst, zigzag(*(*int64)(p)))
	case kUint:
		return binary.AppendUvarint(dst, uint64(*(*uint)(p)))
	case kUint8:
		return binary.AppendUvarint(dst, uint64(*(*uint8)(p)))
	case kUint16:
		return binary.AppendUvarint(dst, uint64(*(*uint16)(p)))
	case kUint32:
		return binary.AppendUvarint(dst, uint64(*(*uint32)(p)))
	case kUint64:
		return binary.AppendUvarint(dst, *(*uint64)(p))
	case kFloat32:
		return appendFloat(dst, float64(*(*float32)(p)), 32)
	case kFloat64:
		return appendFloat(dst, *(*float64)(p), 64)
	case kStep32:
		return appendStep(dst, float64(*(*float32)(p)), l.inv, 32)
	case kStep64:
		return appendStep(dst, *(*float64)(p), l.inv, 64)
	case kString:
		s := *(*string)(p)
		return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
	case kBytes:
		b := *(*[]byte)(p)
		return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
	}
	return appendWhole(dst, reflect.NewAt(l.typ, p).Elem())
}

// intRange checks that v fits a signed integer of the given bits.
func (r *reader) intOf(bits int) int64 {
	v := r.varint()
	if bits < 64 && (v < -1<<(bits-1) || v >= 1<<(bits-1)) {
		r.fail(fmt.Errorf("%w: %d does not fit int%d", ErrWrongType, v, bits))
		return 0
	}
	return v
}

func (r *reader) uintOf(bits int) uint64 {
	v := r.uvarint()
	if bits < 64 && v >= 1<<bits {
		r.fail(fmt.Errorf("%w: %d does not fit uint%d", ErrWrongType, v, bits))
		return 0
	}
	return v
}

// readLeaf reads the value of leaf l into the value at base. On error it
// may have written a part of a whole value: callers decode into a scratch
// copy.
func (r *reader) readLeaf(l *leaf, base unsafe.Pointer) {
	p := l.ptr(base)
	switch l.kind {
	case kBool:
		switch r.byte() {
		case 0:
			*(*bool)(p) = false
		case 1:
			*(*bool)(p) = true
		default:
			r.fail(fmt.Errorf("%w: bool not 0 or 1", ErrWrongType))
		}
	case kInt:
		v := r.intOf(strconvIntSize)
		if r.err == nil {
			*(*int)(p) = int(v)
		}
	case kInt8:
		v := r.intOf(8)
		if r.err == nil {
			*(*int8)(p) = int8(v)
		}
	case kInt16:
		v := r.intOf(16)
		if r.err == nil {
			*(*int16)(p) = int16(v)
		}
	case kInt32:
		v := r.intOf(32)
		if r.err == nil {
			*(*int32)(p) = int32(v)
		}
	case kInt64:
		v := r.intOf(64)
		if r.err == nil {
			*(*int64)(p) = v
		}
	case kUint:
		v := r.uintOf(strconvIntSize)
		if r.err == nil {
			*(*uint)(p) = uint(v)
		}
	case kUint8:
		v := r.uintOf(8)
		if r.err == nil {
			*(*uint8)(p) = uint8(v)
		}
	case kUint16:
		v := r.uintOf(16)
		if r.err == nil {
			*(*uint16)(p) = uint16(v)
		}
	case kUint32:
		v := r.uintOf(32)
		if r.err == nil {
			*(*uint32)(p) = uint32(v)
		}
	case kUint64:
		v := r.uintOf(64)
		if r.err == nil {
			*(*uint64)(p) = v
		}
	case kFloat32:
		v := r.float(32)
		if r.err == nil {
			*(*float32)(p) = float32(v)
		}
	case kFloat64:
		v := r.float(64)
		if r.err == nil {
			*(*float64)(p) = v
		}
	case kStep32:
		v := r.step(l.step, 32)
		if r.err == nil {
			*(*float32)(p) = float32(v)
		}
	case kStep64:
		v := r.step(l.step, 64)
		if r.err == nil {
			*(*float64)(p) = v
		}
	case kString:
		b := r.bytes(r.uvarint())
		if r.err == nil {
			*(*string)(p) = string(b)
		}
	case kBytes:
		b := r.bytes(r.uvarint())
		if r.err == nil {
			if len(b) == 0 {
				*(*[]byte)(p) = nil
			} else {
				*(*[]byte)(p) = bytes.Clone(b)
			}
		}
	default:
		v := reflect.New(l.typ).Elem()
		r.readWhole(v)
		if r.err == nil {
			reflect.NewAt(l.typ, p).Elem().Set(v)
		}
	}
}

const strconvIntSize = 32 << (^uint(0) >> 63)

// appendWhole appends v, of a type checkWhole accepted, through reflect.
func appendWhole(dst []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(dst, 1)
		}
		return append(dst, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendUvarint(dst, zigzag(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(dst, v.Uint())
	case reflect.Float32:
		return appendFloat(dst, v.Float(), 32)
	case reflect.Float64:
		return appendFloat(dst, v.Float(), 64)
	case reflect.String:
		return append(binary.AppendUvarint(dst, uint64(v.Len())), v.String()...)
	case reflect.Slice:
		dst = binary.AppendUvarint(dst, uint64(v.Len()))
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			dst = appendWhole(dst, v.Index(i))
		}
		return dst
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() && f.Tag.Get("replica") != "-" {
				dst = appendWhole(dst, v.Field(i))
			}
		}
		return dst
	case reflect.Map:
		dst = binary.AppendUvarint(dst, uint64(v.Len()))
		type kv struct{ k, v []byte }
		pairs := make([]kv, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			pairs = append(pairs, kv{appendWhole(nil, it.Key()), appendWhole(nil, it.Value())})
		}
		slices.SortFunc(pairs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
		for _, p := range pairs {
			dst = append(append(dst, p.k...), p.v...)
		}
		return dst
	}
	panic("replica: appendWhole: unchecked type " + v.Type().String()) // checkWhole refused it
}

// readWhole reads into v (settable), of a type checkWhole accepted.
func (r *reader) readWhole(v reflect.Value) {
	if r.err != nil {
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		switch r.byte() {
		case 0:
			v.SetBool(false)
		case 1:
			v.SetBool(true)
		default:
			r.fail(fmt.Errorf("%w: bool not 0 or 1", ErrWrongType))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x := r.intOf(v.Type().Bits())
		if r.err == nil {
			v.SetInt(x)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x := r.uintOf(v.Type().Bits())
		if r.err == nil {
			v.SetUint(x)
		}
	case reflect.Float32:
		x := r.float(32)
		if r.err == nil {
			v.SetFloat(x)
		}
	case reflect.Float64:
		x := r.float(64)
		if r.err == nil {
			v.SetFloat(x)
		}
	case reflect.String:
		b := r.bytes(r.uvarint())
		if r.err == nil {
			v.SetString(string(b))
		}
	case reflect.Slice:
		n := r.count()
		if r.err != nil || n == 0 {
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n && r.err == nil; i++ {
			r.readWhole(s.Index(i))
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len() && r.err == nil; i++ {
			r.readWhole(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField() && r.err == nil; i++ {
			f := v.Type().Field(i)
			if f.IsExported() && f.Tag.Get("replica") != "-" {
				r.readWhole(v.Field(i))
			}
		}
	case reflect.Map:
		n := r.count()
		if r.err != nil || n == 0 {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for i := 0; i < n && r.err == nil; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			r.readWhole(k)
			r.readWhole(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		r.fail(fmt.Errorf("%w: %v", ErrUnsupported, v.Type()))
	}
}
