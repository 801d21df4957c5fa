package msgpack

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"slices"

	vmsgpack "github.com/vmihailenco/msgpack/v5"
)

// The msgpack library sorts the keys of map[string]string, map[string]bool
// and map[string]any (Encoder.SetSortMapKeys) but writes every other map
// (map[string]int, map[int]T, ...) in Go's random map order. sortMsgpackMaps
// puts the entries of every map of an encoded body in key order, so that a
// frame is a function of the value alone, as a JSON line is. It runs only for
// types that can hold such a map (msgpackNeedsSort).

var (
	msgpackCustomEncoder = reflect.TypeFor[vmsgpack.CustomEncoder]()
	msgpackMarshaler     = reflect.TypeFor[vmsgpack.Marshaler]()
)

// msgpackNeedsSort reports whether a value of typ can encode to a map whose
// order the library does not fix: it holds a map, an interface (which may
// hold one) or a type with its own msgpack encoder.
func msgpackNeedsSort(typ reflect.Type) bool {
	return needsSort(typ, make(map[reflect.Type]bool))
}

func needsSort(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a recursive type: its other paths are looked at already
	}
	seen[t] = true
	if t.Implements(msgpackCustomEncoder) || t.Implements(msgpackMarshaler) ||
		reflect.PointerTo(t).Implements(msgpackCustomEncoder) || reflect.PointerTo(t).Implements(msgpackMarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Map, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return needsSort(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if needsSort(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// sortMsgpackMaps reorders, in place, the entries of every map in the
// well-formed msgpack value b into increasing key order: string keys by
// their bytes (as the JSON codec and the library's sorted maps do), integer
// keys by value, integers before strings, other keys by their encoding. The
// length of b does not change. A value that checkMsgpack would refuse (too
// deep) is left as it is; the peer refuses it anyway.
func sortMsgpackMaps(b []byte) {
	_, _ = sortMaps(b, 0, 0)
}

type msgpackEntrySpan struct{ key, val, end int }

// sortMaps sorts the maps of the value at b[i] and returns its end.
func sortMaps(b []byte, i, depth int) (int, error) {
	n, hdr, isMap := msgpackContainer(b, i)
	if hdr == 0 {
		return skipMsgpack(b, i, depth)
	}
	if depth >= maxMsgpackDepth {
		return skipMsgpack(b, i, depth) // gives the depth error
	}
	j := i + hdr
	var err error
	if !isMap {
		for ; n > 0; n-- {
			if j, err = sortMaps(b, j, depth+1); err != nil {
				return j, err
			}
		}
		return j, nil
	}
	spans := make([]msgpackEntrySpan, n)
	for k := range spans {
		s := &spans[k]
		s.key = j
		if s.val, err = sortMaps(b, j, depth+1); err != nil {
			return s.val, err
		}
		if j, err = sortMaps(b, s.val, depth+1); err != nil {
			return j, err
		}
		s.end = j
	}
	cmp := func(x, y msgpackEntrySpan) int { return compareMsgpackKeys(b[x.key:x.val], b[y.key:y.val]) }
	if !slices.IsSortedFunc(spans, cmp) {
		slices.SortStableFunc(spans, cmp)
		sorted := make([]byte, 0, j-(i+hdr))
		for _, s := range spans {
			sorted = append(sorted, b[s.key:s.end]...)
		}
		copy(b[i+hdr:], sorted)
	}
	return j, nil
}

// msgpackContainer returns the element count (entries for a map) and header
// length of the array or map at b[i]; hdr is 0 for any other value.
func msgpackContainer(b []byte, i int) (n, hdr int, isMap bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	c := b[i]
	switch {
	case c >= 0x80 && c <= 0x8f:
		return int(c & 0x0f), 1, true
	case c >= 0x90 && c <= 0x9f:
		return int(c & 0x0f), 1, false
	case (c == 0xdc || c == 0xde) && len(b)-i >= 3:
		return int(binary.BigEndian.Uint16(b[i+1:])), 3, c == 0xde
	case (c == 0xdd || c == 0xdf) && len(b)-i >= 5:
		return int(binary.BigEndian.Uint32(b[i+1:])), 5, c == 0xdf
	}
	return 0, 0, false
}

// compareMsgpackKeys orders two encoded map keys.
func compareMsgpackKeys(a, b []byte) int {
	ai, aInt := msgpackInt(a)
	bi, bInt := msgpackInt(b)
	if aInt && bInt {
		return ai.compare(bi)
	}
	as, aStr := msgpackStr(a)
	bs, bStr := msgpackStr(b)
	switch {
	case aStr && bStr:
		return bytes.Compare(as, bs)
	case aInt != bInt:
		if aInt {
			return -1
		}
		return 1
	case aStr != bStr:
		if aStr {
			return -1
		}
		return 1
	}
	return bytes.Compare(a, b)
}

// msgpackNum is an integer key: its sign and magnitude.
type msgpackNum struct {
	neg bool
	mag uint64 // |value|
}

func (x msgpackNum) compare(y msgpackNum) int {
	switch {
	case x.neg != y.neg:
		if x.neg {
			return -1
		}
		return 1
	case x.mag == y.mag:
		return 0
	case (x.mag < y.mag) != x.neg:
		return -1
	}
	return 1
}

func signed(v int64) msgpackNum {
	if v < 0 {
		return msgpackNum{neg: true, mag: uint64(-(v + 1)) + 1}
	}
	return msgpackNum{mag: uint64(v)}
}

// msgpackInt decodes the integer encoded in a, when a is one.
func msgpackInt(a []byte) (msgpackNum, bool) {
	if len(a) == 0 {
		return msgpackNum{}, false
	}
	c, p := a[0], a[1:]
	switch {
	case c <= 0x7f:
		return msgpackNum{mag: uint64(c)}, true
	case c >= 0xe0:
		return signed(int64(int8(c))), true
	case c >= 0xcc && c <= 0xcf && len(p) == 1<<(c-0xcc):
		return msgpackNum{mag: beUint(p)}, true
	case c >= 0xd0 && c <= 0xd3 && len(p) == 1<<(c-0xd0):
		u := beUint(p)
		shift := 64 - 8*len(p)
		return signed(int64(u<<shift) >> shift), true
	}
	return msgpackNum{}, false
}

// msgpackStr returns the bytes of the string encoded in a, when a is one.
func msgpackStr(a []byte) ([]byte, bool) {
	if len(a) == 0 {
		return nil, false
	}
	c := a[0]
	switch {
	case c >= 0xa0 && c <= 0xbf:
		return a[1:], true
	case c == 0xd9 && len(a) >= 2:
		return a[2:], true
	case c == 0xda && len(a) >= 3:
		return a[3:], true
	case c == 0xdb && len(a) >= 5:
		return a[5:], true
	}
	return nil, false
}

func beUint(p []byte) uint64 {
	var u uint64
	for _, c := range p {
		u = u<<8 | uint64(c)
	}
	return u
}
