package replica

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// MaxFields bounds the field numbers of one type (nested structs and
// arrays flattened): a type with more is ErrUnsupported, and no mask on
// the wire may name a number at or beyond it.
const MaxFields = 4096

// kind is how one field travels.
type kind uint8

const (
	kBool kind = iota + 1
	kInt
	kInt8
	kInt16
	kInt32
	kInt64
	kUint
	kUint8
	kUint16
	kUint32
	kUint64
	kFloat32
	kFloat64
	kStep32 // float32 with a step: travels as a multiple of it
	kStep64 // float64 with a step
	kString
	kBytes // []byte: whole value
	kWhole // any other slice or map: whole value, through reflect
)

// leaf is one field of the flattened type: a scalar, a string, or a
// slice or map sent whole.
type leaf struct {
	num  int          // field number
	off  uintptr      // offset from the start of the value
	kind kind         // how it travels
	typ  reflect.Type // its Go type
	path string       // "Entities[3].X"
	step float64      // kStep32, kStep64: the quantum
	inv  float64      // 1/step
}

// schema is a struct type flattened into numbered leaves.
type schema struct {
	typ    reflect.Type
	leaves []leaf  // by field number, ascending
	byNum  []int32 // field number -> index in leaves, or -1
	byPath map[string]int
	hash   uint64 // of the field numbers and kinds: both ends must agree
}

var schemas sync.Map // reflect.Type -> *schema or error

// schemaOf returns the schema of struct type t, built once.
func schemaOf(t reflect.Type) (*schema, error) {
	if v, ok := schemas.Load(t); ok {
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v.(*schema), nil
	}
	s, err := buildSchema(t)
	if err != nil {
		schemas.Store(t, err)
		return nil, err
	}
	v, _ := schemas.LoadOrStore(t, s)
	return v.(*schema), nil
}

func buildSchema(t reflect.Type) (*schema, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %v is not a struct", ErrUnsupported, t)
	}
	b := &builder{seen: map[reflect.Type]bool{}}
	span, err := b.structFields(t, 0, 0, "", 0)
	if err != nil {
		return nil, err
	}
	s := &schema{typ: t, leaves: b.leaves, byNum: make([]int32, span), byPath: map[string]int{}}
	for i := range s.byNum {
		s.byNum[i] = -1
	}
	h := fnv.New64a()
	for i, l := range s.leaves {
		s.byNum[l.num] = int32(i)
		s.byPath[l.path] = i
		fmt.Fprintf(h, "%d:%s;", l.num, typeSig(l.typ))
		if l.step != 0 {
			fmt.Fprintf(h, "step=%g;", l.step)
		}
	}
	s.hash = h.Sum64()
	return s, nil
}

type builder struct {
	leaves []leaf
	seen   map[reflect.Type]bool
}

// structFields appends the leaves of struct type t at offset off, numbered
// from base, and returns the span of numbers it takes. step is the step
// its floats inherit (0: none).
func (b *builder) structFields(t reflect.Type, off uintptr, base int, prefix string, step float64) (int, error) {
	if b.seen[t] {
		return 0, fmt.Errorf("%w: recursive type %v", ErrUnsupported, t)
	}
	b.seen[t] = true
	defer delete(b.seen, t)
	next := 0
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("replica")
		if tag == "-" {
			continue // local only: never leaves
		}
		num, fstep, err := parseTag(tag)
		if err != nil || (num >= 0 && num < next) {
			if err == nil {
				err = fmt.Errorf("want a field number of at least %d", next)
			}
			return 0, fmt.Errorf("%w: %v.%s: tag %q: %w", ErrUnsupported, t, f.Name, tag, err)
		}
		if num >= 0 {
			next = num
		}
		direct := fstep != 0
		if !direct {
			fstep = step
		}
		span, err := b.field(f.Type, off+f.Offset, base+next, prefix+f.Name, fstep, direct)
		if err != nil {
			return 0, err
		}
		next += span
		if base+next > MaxFields {
			return 0, fmt.Errorf("%w: %v has more than %d fields", ErrUnsupported, t, MaxFields)
		}
	}
	return next, nil
}

// parseTag parses a replica tag other than "-": "", "N", "N,step=S" or
// ",step=S". num is -1 without a number, step 0 without a step.
func parseTag(tag string) (num int, step float64, err error) {
	num = -1
	head, opts, _ := strings.Cut(tag, ",")
	if head != "" {
		if num, err = strconv.Atoi(head); err != nil || num < 0 {
			return 0, 0, errors.New(`want "-", a field number or options`)
		}
	}
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		v, ok := strings.CutPrefix(opt, "step=")
		if !ok {
			return 0, 0, fmt.Errorf("unknown option %q", opt)
		}
		step, err = strconv.ParseFloat(v, 64)
		if err != nil || !(step > 0) || math.IsInf(step, 0) {
			return 0, 0, fmt.Errorf("step %q: want a positive number", v)
		}
	}
	return num, step, nil
}

// field appends the leaves of one field of type t and returns their span.
// step applies to its float leaves; direct says the field's own tag set it
// (then the field must hold a float).
func (b *builder) field(t reflect.Type, off uintptr, num int, path string, step float64, direct bool) (int, error) {
	switch t.Kind() {
	case reflect.Struct:
		return b.structFields(t, off, num, path+".", step)
	case reflect.Array:
		elem := t.Elem()
		span := 0
		for i := range t.Len() {
			s, err := b.field(elem, off+uintptr(i)*elem.Size(), num+i*span, path+"["+strconv.Itoa(i)+"]", step, direct)
			if err != nil {
				return 0, err
			}
			span = s
			if num+(i+1)*span > MaxFields {
				return 0, fmt.Errorf("%w: %s: more than %d fields", ErrUnsupported, path, MaxFields)
			}
		}
		return t.Len() * span, nil
	}
	k, err := kindOf(t, b.seen)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	l := leaf{num: num, off: off, kind: k, typ: t, path: path}
	switch {
	case step != 0 && k == kFloat32:
		l.kind, l.step, l.inv = kStep32, step, 1/step
	case step != 0 && k == kFloat64:
		l.kind, l.step, l.inv = kStep64, step, 1/step
	case step != 0 && direct:
		return 0, fmt.Errorf("%w: %s: a step on a %v (floats only)", ErrUnsupported, path, t)
	}
	b.leaves = append(b.leaves, l)
	return 1, nil
}

var scalarKinds = map[reflect.Kind]kind{
	reflect.Bool: kBool, reflect.Int: kInt, reflect.Int8: kInt8, reflect.Int16: kInt16,
	reflect.Int32: kInt32, reflect.Int64: kInt64, reflect.Uint: kUint, reflect.Uint8: kUint8,
	reflect.Uint16: kUint16, reflect.Uint32: kUint32, reflect.Uint64: kUint64,
	reflect.Float32: kFloat32, reflect.Float64: kFloat64, reflect.String: kString,
}

// kindOf says how a leaf of type t travels, checking that every type
// inside a whole value can travel too.
func kindOf(t reflect.Type, seen map[reflect.Type]bool) (kind, error) {
	if k, ok := scalarKinds[t.Kind()]; ok {
		return k, nil
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return kBytes, nil
	}
	if err := checkWhole(t, seen); err != nil {
		return 0, err
	}
	return kWhole, nil
}

// checkWhole checks that values of t can be encoded whole.
func checkWhole(t reflect.Type, seen map[reflect.Type]bool) error {
	if _, ok := scalarKinds[t.Kind()]; ok {
		return nil
	}
	if seen[t] {
		return fmt.Errorf("%w: recursive type %v", ErrUnsupported, t)
	}
	seen[t] = true
	defer delete(seen, t)
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return checkWhole(t.Elem(), seen)
	case reflect.Map:
		if err := checkWhole(t.Key(), seen); err != nil {
			return err
		}
		return checkWhole(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("replica") == "-" {
				continue
			}
			if err := checkWhole(f.Type, seen); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %v (%v)", ErrUnsupported, t, t.Kind())
}

// typeSig is t's shape for the schema hash: kinds, not names.
func typeSig(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "[]" + typeSig(t.Elem())
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + typeSig(t.Elem())
	case reflect.Map:
		return "map[" + typeSig(t.Key()) + "]" + typeSig(t.Elem())
	case reflect.Struct:
		var sb strings.Builder
		sb.WriteString("{")
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("replica") == "-" {
				continue
			}
			sb.WriteString(typeSig(f.Type) + ";")
		}
		sb.WriteString("}")
		return sb.String()
	}
	return t.Kind().String()
}

// ptr is the address of leaf l in the value at base.
func (l *leaf) ptr(base unsafe.Pointer) unsafe.Pointer { return unsafe.Add(base, l.off) }

// Fields is a set of field numbers of one type: the fields a delta
// changed, or that changed since a view's last look.
type Fields struct {
	s    *schema
	bits []uint64
}

func newFields(s *schema) Fields {
	return Fields{s: s, bits: make([]uint64, (len(s.byNum)+63)/64)}
}

func (f *Fields) set(num int) { f.bits[num/64] |= 1 << (num % 64) }

func (f *Fields) or(g Fields) {
	for i := range g.bits {
		f.bits[i] |= g.bits[i]
	}
}

func (f *Fields) clear() { clear(f.bits) }

// Has says whether the field at path is in the set. A path names a leaf
// as Go would write it: "Score", "Pos.X", "Entities[3].Name". A slice or
// map field is one leaf (it changes whole).
func (f Fields) Has(path string) bool {
	if f.s == nil {
		return false
	}
	i, ok := f.s.byPath[path]
	return ok && f.HasNum(f.s.leaves[i].num)
}

// HasNum says whether field number num is in the set.
func (f Fields) HasNum(num int) bool {
	return num >= 0 && num/64 < len(f.bits) && f.bits[num/64]&(1<<(num%64)) != 0
}

// runs calls fn for each run of consecutive numbers in f, in order.
func (f Fields) runs(fn func(start, n int)) {
	start, end := -1, -1
	for w, word := range f.bits {
		for ; word != 0; word &= word - 1 {
			num := w*64 + bits.TrailingZeros64(word)
			if num == end {
				end++
				continue
			}
			if start >= 0 {
				fn(start, end-start)
			}
			start, end = num, num+1
		}
	}
	if start >= 0 {
		fn(start, end-start)
	}
}

// Clone returns a copy of the set that later calls do not change.
func (f Fields) Clone() Fields { return Fields{s: f.s, bits: slices.Clone(f.bits)} }

// Len is the number of fields in the set.
func (f Fields) Len() int {
	n := 0
	for _, w := range f.bits {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// Paths lists the fields in the set, by field number.
func (f Fields) Paths() []string {
	var out []string
	if f.s == nil {
		return nil
	}
	for _, l := range f.s.leaves {
		if f.HasNum(l.num) {
			out = append(out, l.path)
		}
	}
	return out
}
