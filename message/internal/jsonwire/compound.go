package jsonwire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"strconv"
)

// Codecs of composite types: pointers, slices, arrays, maps and structs.

func pointerCodec(t reflect.Type, elem *Type) (
	func([]byte, reflect.Value, int) ([]byte, error),
	func([]byte, int, reflect.Value, int) (int, error),
) {
	enc := func(dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		if depth >= maxJSONDepth {
			return dst, tooDeep()
		}
		return elem.enc(dst, v.Elem(), depth+1)
	}
	dec := func(data []byte, i int, v reflect.Value, depth int) (int, error) {
		if data[i] == 'n' {
			v.SetZero()
			return expectLiteral(data, i, "null")
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return elem.dec(data, i, v.Elem(), depth)
	}
	return enc, dec
}

// sliceCodec: a nil slice is written as [] (Python has no nil list); null
// decodes to a nil slice.
func sliceCodec(t reflect.Type, elem *Type) (
	func([]byte, reflect.Value, int) ([]byte, error),
	func([]byte, int, reflect.Value, int) (int, error),
) {
	enc := listEncoder(elem)
	dec := func(data []byte, i int, v reflect.Value, depth int) (int, error) {
		if data[i] == 'n' {
			v.SetZero()
			return expectLiteral(data, i, "null")
		}
		if data[i] != '[' {
			return i, unexpected(data, i, "an array")
		}
		s := v
		if s.IsNil() {
			s = reflect.MakeSlice(t, 0, 4)
		}
		s = s.Slice(0, 0)
		n := 0
		next, err := decodeArray(data, i, depth, func(data []byte, i int) (int, error) {
			if n == s.Cap() {
				grown := reflect.MakeSlice(t, n, max(4, 2*n))
				reflect.Copy(grown, s)
				s = grown
			}
			s = s.Slice(0, n+1)
			e := s.Index(n)
			e.SetZero()
			n++
			return elem.dec(data, i, e, depth+1)
		})
		if err != nil {
			return next, err
		}
		v.Set(s.Slice(0, n))
		return next, nil
	}
	return enc, dec
}

// listEncoder writes a slice or an array as a JSON array (a nil slice as
// []: Python has no nil list).
func listEncoder(elem *Type) func([]byte, reflect.Value, int) ([]byte, error) {
	return func(dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if depth >= maxJSONDepth {
			return dst, tooDeep()
		}
		dst = append(dst, '[')
		var err error
		for i := range v.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = elem.enc(dst, v.Index(i), depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
}

// arrayCodec: extra elements are ignored and missing ones zeroed, as in
// encoding/json.
func arrayCodec(t reflect.Type, elem *Type) (
	func([]byte, reflect.Value, int) ([]byte, error),
	func([]byte, int, reflect.Value, int) (int, error),
) {
	enc := listEncoder(elem)
	dec := func(data []byte, i int, v reflect.Value, depth int) (int, error) {
		if data[i] == 'n' {
			return expectLiteral(data, i, "null")
		}
		if data[i] != '[' {
			return i, unexpected(data, i, "an array")
		}
		n := 0
		next, err := decodeArray(data, i, depth, func(data []byte, i int) (int, error) {
			if n >= v.Len() {
				return skipValue(data, i, depth+1)
			}
			e := v.Index(n)
			n++
			return elem.dec(data, i, e, depth+1)
		})
		if err != nil {
			return next, err
		}
		for ; n < v.Len(); n++ {
			v.Index(n).SetZero()
		}
		return next, nil
	}
	return enc, dec
}

// mapCodec: keys are written sorted (Go maps have no order; Python keeps
// insertion order, which a Go map cannot know); integer keys are written as
// strings, as Python does. A nil map is written as {}.
func mapCodec(t reflect.Type, elem *Type) (
	func([]byte, reflect.Value, int) ([]byte, error),
	func([]byte, int, reflect.Value, int) (int, error),
) {
	keyKind := t.Key().Kind()
	enc := func(dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if depth >= maxJSONDepth {
			return dst, tooDeep()
		}
		type kv struct {
			key string
			val reflect.Value
		}
		entries := make([]kv, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			var ks string
			switch keyKind {
			case reflect.String:
				ks = k.String()
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				ks = strconv.FormatInt(k.Int(), 10)
			default:
				ks = strconv.FormatUint(k.Uint(), 10)
			}
			entries = append(entries, kv{ks, it.Value()})
		}
		slices.SortFunc(entries, func(a, b kv) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return 0
		})
		dst = append(dst, '{')
		var err error
		for i, e := range entries {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPyString(dst, e.key)
			dst = append(dst, ':')
			if dst, err = elem.enc(dst, e.val, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	dec := func(data []byte, i int, v reflect.Value, depth int) (int, error) {
		if data[i] == 'n' {
			v.SetZero()
			return expectLiteral(data, i, "null")
		}
		if data[i] != '{' {
			return i, unexpected(data, i, "an object")
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		val := reflect.New(t.Elem()).Elem()
		var scratch []byte
		return decodeObject(data, i, depth, func(rawKey []byte, escaped bool, keyOff int, data []byte, i int) (int, error) {
			k := rawKey
			if escaped {
				scratch = unescape(scratch[:0], rawKey)
				k = scratch
			}
			key, err := mapKey(t.Key(), k)
			if err != nil {
				return keyOff, malformedAt(keyOff, "map key %q: %v", k, err)
			}
			val.SetZero()
			next, err := elem.dec(data, i, val, depth+1)
			if err != nil {
				return next, err
			}
			v.SetMapIndex(key, val)
			return next, nil
		})
	}
	return enc, dec
}

func mapKey(t reflect.Type, k []byte) (reflect.Value, error) {
	key := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		key.SetString(string(k))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(k), 10, 64)
		if err != nil || key.OverflowInt(n) {
			return key, fmt.Errorf("not a %s", t)
		}
		key.SetInt(n)
	default:
		n, err := strconv.ParseUint(string(k), 10, 64)
		if err != nil || key.OverflowUint(n) {
			return key, fmt.Errorf("not a %s", t)
		}
		key.SetUint(n)
	}
	return key, nil
}

// fieldByIndex returns the field at index in the struct v; ok is false when
// a nil embedded pointer lies on the way.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func structCodec(fields []jsonField) (
	func([]byte, reflect.Value, int) ([]byte, error),
	func([]byte, int, reflect.Value, int) (int, error),
) {
	enc := func(dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if depth >= maxJSONDepth {
			return dst, tooDeep()
		}
		dst = append(dst, '{')
		first := true
		var err error
		for k := range fields {
			f := &fields[k]
			var fv reflect.Value
			if len(f.index) == 1 {
				fv = v.Field(f.index[0])
			} else {
				var ok bool
				if fv, ok = fieldByIndex(v, f.index); !ok {
					continue
				}
			}
			if f.omitEmpty && isEmptyValue(fv) || f.omitZero != nil && f.omitZero(fv) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.key...)
			if dst, err = f.typ.enc(dst, fv, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	dec := func(data []byte, i int, v reflect.Value, depth int) (int, error) {
		if data[i] == 'n' {
			return expectLiteral(data, i, "null")
		}
		if data[i] != '{' {
			return i, unexpected(data, i, "an object")
		}
		return decodeStruct(fields, data, i, v, depth)
	}
	return enc, dec
}

// decodeStruct decodes the object at data[i] ('{') into the struct v. It is
// decodeObject with the member function written in (no call through a
// closure per field), and with a fast path
// for the key Python writes next: the next field's, in field order.
func decodeStruct(fields []jsonField, data []byte, i int, v reflect.Value, depth int) (int, error) {
	i, done, err := openContainer(data, i, depth, '}')
	var scratch []byte
	next := 0 // the field expected next: Python writes them in order
	for !done && err == nil {
		keyOff := i
		var f int
		var k []byte // the key, unescaped; nil when the fast path matched
		if next < len(fields) && fields[next].keyAt(data, i) {
			// `"name":`, where name needs no escape: the raw key is the
			// field's name.
			f = next
			i = skipSpace(data, i+len(fields[next].plainKey))
		} else {
			raw, escaped, after, keyErr := scanString(data, i)
			if keyErr != nil {
				return after, keyErr
			}
			if i, err = afterColon(data, after); err != nil {
				return i, err
			}
			k = raw
			if escaped {
				scratch = unescape(scratch[:0], raw)
				k = scratch
			}
			f = findField(fields, k, next)
		}
		if i >= len(data) {
			return i, unexpected(data, i, "a value")
		}
		if f < 0 {
			i, err = skipValue(data, i, depth+1)
		} else {
			next = f + 1
			fd := &fields[f]
			if len(fd.index) == 1 {
				i, err = decodeField(fd, data, i, v.Field(fd.index[0]), depth+1)
			} else {
				var fv reflect.Value
				if fv, err = settableField(v, fd.index); err != nil {
					if k == nil {
						k = []byte(fd.name)
					}
					return i, malformedAt(keyOff, "field %q: %v", k, err)
				}
				i, err = fd.typ.dec(data, i, fv, depth+1)
			}
		}
		if err != nil {
			return i, err
		}
		i, done, err = nextMember(data, i, '}')
	}
	return i, err
}

// decodeField decodes the value at data[i] into fv, the value of field fd.
func decodeField(fd *jsonField, data []byte, i int, fv reflect.Value, depth int) (int, error) {
	switch fd.kind {
	case fieldFloat32:
		if f, next, ok := fastFloat(data, i, 32); ok {
			fv.SetFloat(f)
			return next, nil
		}
		return decFloatSlow(data, i, fv, 32)
	case fieldFloat64:
		if f, next, ok := fastFloat(data, i, 64); ok {
			fv.SetFloat(f)
			return next, nil
		}
		return decFloatSlow(data, i, fv, 64)
	case fieldUint:
		return decUint(data, i, fv, depth)
	case fieldInt:
		return decInt(data, i, fv, depth)
	case fieldString:
		return decString(data, i, fv, depth)
	}
	return fd.typ.dec(data, i, fv, depth)
}

// keyAt reports whether data[i:] starts with f's key, `"name":`, where
// name needs no escape (false when it does).
func (f *jsonField) keyAt(data []byte, i int) bool {
	if f.keyMask != 0 && len(data)-i >= 8 {
		return binary.LittleEndian.Uint64(data[i:])&f.keyMask == f.keyWord
	}
	return f.plainKey != "" && len(data)-i >= len(f.plainKey) && string(data[i:i+len(f.plainKey)]) == f.plainKey
}

// findField returns the index of the field named k, trying hint first, then
// an exact match, then a case-insensitive one (as encoding/json does); -1
// when there is none.
func findField(fields []jsonField, k []byte, hint int) int {
	if hint < len(fields) && fields[hint].name == string(k) {
		return hint
	}
	for i := range fields {
		if i != hint && fields[i].name == string(k) {
			return i
		}
	}
	for i := range fields {
		if bytes.EqualFold([]byte(fields[i].name), k) {
			return i
		}
	}
	return -1
}

// settableField returns the field at index in v, allocating nil embedded
// pointers on the way.
func settableField(v reflect.Value, index []int) (reflect.Value, error) {
	if len(index) == 1 {
		return v.Field(index[0]), nil
	}
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return v, fmt.Errorf("cannot set embedded pointer %s", v.Type())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}
