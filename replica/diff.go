package replica

import (
	"bytes"
	"math"
	"reflect"
	"unsafe"
)

// shadow is the last state an owner sent: a copy of the value, and the
// encoding of each slice and map field (a copy of the value shares their
// contents with the live one, so a change made in place is found by
// comparing encodings).
type shadow struct {
	s     *schema
	val   reflect.Value // *T
	whole [][]byte      // by leaf index; nil for scalars and strings
}

func newShadow(s *schema, from unsafe.Pointer) *shadow {
	sh := &shadow{s: s, val: reflect.New(s.typ), whole: make([][]byte, len(s.leaves))}
	sh.val.Elem().Set(reflect.NewAt(s.typ, from).Elem())
	for i := range s.leaves {
		if l := &s.leaves[i]; l.kind >= kBytes {
			sh.whole[i] = appendLeaf(nil, l, from)
		}
	}
	return sh
}

func (sh *shadow) ptr() unsafe.Pointer { return sh.val.UnsafePointer() }

// diff sets in f the fields where cur differs from the shadow, and makes
// the shadow cur. It reports whether anything changed.
func (sh *shadow) diff(cur unsafe.Pointer, f *Fields) bool {
	f.clear()
	changed := false
	old := sh.ptr()
	var buf []byte
	for i := range sh.s.leaves {
		l := &sh.s.leaves[i]
		switch {
		case l.kind == kString:
			if *(*string)(l.ptr(cur)) != *(*string)(l.ptr(old)) {
				f.set(l.num)
				changed = true
			}
		case l.kind == kStep32 || l.kind == kStep64:
			if !sameStep(l, l.ptr(cur), l.ptr(old)) {
				f.set(l.num)
				changed = true
			}
		case l.kind >= kBytes:
			buf = appendLeaf(buf[:0], l, cur)
			if !bytes.Equal(buf, sh.whole[i]) {
				sh.whole[i] = append(sh.whole[i][:0], buf...)
				f.set(l.num)
				changed = true
			}
		default:
			n := l.typ.Size()
			if !bytes.Equal(unsafe.Slice((*byte)(l.ptr(cur)), n), unsafe.Slice((*byte)(l.ptr(old)), n)) {
				f.set(l.num)
				changed = true
			}
		}
	}
	if changed {
		sh.val.Elem().Set(reflect.NewAt(sh.s.typ, cur).Elem())
	}
	return changed
}

// appendSnapshot appends a snapshot of the shadow (the state at seq).
func (sh *shadow) appendSnapshot(dst []byte, handle, seq uint64, name string) []byte {
	dst = append(dst, kindSnapshot)
	dst = appendHeaderSnap(dst, sh.s, handle, seq, name)
	old := sh.ptr()
	for i := range sh.s.leaves {
		if sh.whole[i] != nil || sh.s.leaves[i].kind >= kBytes {
			dst = append(dst, sh.whole[i]...)
		} else {
			dst = appendLeaf(dst, &sh.s.leaves[i], old)
		}
	}
	return dst
}

// sameStep says whether two values of a stepped float leaf travel as the
// same multiple of its step (or, escaped, have the same bits).
func sameStep(l *leaf, a, b unsafe.Pointer) bool {
	var x, y float64
	if l.kind == kStep32 {
		if *(*uint32)(a) == *(*uint32)(b) {
			return true
		}
		x, y = float64(*(*float32)(a)), float64(*(*float32)(b))
	} else {
		if *(*uint64)(a) == *(*uint64)(b) {
			return true
		}
		x, y = *(*float64)(a), *(*float64)(b)
	}
	kx, okx := quantise(x, l.inv)
	ky, oky := quantise(y, l.inv)
	if okx && oky {
		return kx == ky
	}
	if l.kind == kStep32 {
		return okx == oky && math.Float32bits(*(*float32)(a)) == math.Float32bits(*(*float32)(b))
	}
	return okx == oky && math.Float64bits(x) == math.Float64bits(y)
}
