package jsonwire

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Type is the compiled JSON encoder and decoder of one Go type.
//
// enc appends the JSON of v to dst. dec decodes the JSON value at data[i]
// (no leading space) into v, which is settable, and returns the offset after
// the value. Both carry the nesting depth to bound it.
type Type struct {
	enc func(dst []byte, v reflect.Value, depth int) ([]byte, error)
	dec func(data []byte, i int, v reflect.Value, depth int) (int, error)
	err error // the type cannot be carried (enc and dec return this error)

	// For decoders that skip dec's indirection. When dec is the plain
	// decoder of a struct, fields are its fields; when dec is the plain
	// decoder of a pointer, elem is the type it points to. Else nil.
	fields []jsonField
	elem   *Type
}

// jsonTypes caches compiled types. It is a pure cache (a compiled type
// depends on the Go type only), shared like encoding/json's, not a registry:
// what a codec accepts is decided by the codec's own registry.
var (
	jsonTypes   sync.Map // reflect.Type -> *Type
	jsonBuildMu sync.Mutex
)

var (
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// TypeFor returns the compiled codec of t, building it (and the types
// it contains) on first use.
func TypeFor(t reflect.Type) (*Type, error) {
	if jt, ok := jsonTypes.Load(t); ok {
		return jt.(*Type), jt.(*Type).err
	}
	jsonBuildMu.Lock()
	defer jsonBuildMu.Unlock()
	if jt, ok := jsonTypes.Load(t); ok {
		return jt.(*Type), jt.(*Type).err
	}
	b := &jsonBuilder{building: make(map[reflect.Type]*Type)}
	jt, err := b.build(t)
	if err != nil {
		return nil, err
	}
	for t, jt := range b.building {
		jsonTypes.Store(t, jt)
	}
	return jt, nil
}

type jsonBuilder struct {
	building map[reflect.Type]*Type
}

func (b *jsonBuilder) build(t reflect.Type) (*Type, error) {
	if jt, ok := jsonTypes.Load(t); ok {
		return jt.(*Type), jt.(*Type).err
	}
	if jt, ok := b.building[t]; ok {
		return jt, jt.err // recursive type: filled in before it is used
	}
	jt := new(Type)
	b.building[t] = jt
	encHook := t.Implements(marshalerType)
	addrEncHook := !encHook && t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType)
	decHook := t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType)
	plain := new(Type) // the codec without Marshaler/Unmarshaler hooks
	if err := b.buildPlain(t, plain); err != nil {
		// Fail only when the unusable side is used: a type with a hook
		// need not be encodable without it, and a type that refers to
		// this one may have a hook of its own.
		plainErr := fmt.Errorf("%w: %w", ErrBadPayload, err)
		plain.enc = func(dst []byte, _ reflect.Value, _ int) ([]byte, error) { return dst, plainErr }
		plain.dec = func(_ []byte, i int, _ reflect.Value, _ int) (int, error) {
			return i, &jsonErr{off: i, err: plainErr}
		}
		plain.fields, plain.elem = nil, nil
		if !encHook && !addrEncHook && !decHook {
			jt.enc, jt.dec, jt.err = plain.enc, plain.dec, err
			return jt, err
		}
	}
	jt.enc, jt.dec = plain.enc, plain.dec
	switch {
	case encHook:
		jt.enc = encMarshaler
	case addrEncHook:
		jt.enc = func(dst []byte, v reflect.Value, depth int) ([]byte, error) {
			if v.CanAddr() {
				return encMarshaler(dst, v.Addr(), depth)
			}
			return plain.enc(dst, v, depth)
		}
	}
	if decHook {
		jt.dec = decUnmarshaler
	} else {
		jt.fields, jt.elem = plain.fields, plain.elem
	}
	return jt, nil
}

func (b *jsonBuilder) buildPlain(t reflect.Type, jt *Type) error {
	switch t.Kind() {
	case reflect.Bool:
		jt.enc, jt.dec = encBool, decBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		jt.enc, jt.dec = encInt, decInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		jt.enc, jt.dec = encUint, decUint
	case reflect.Float32:
		jt.enc, jt.dec = encFloat32, decFloat
	case reflect.Float64:
		jt.enc, jt.dec = encFloat64, decFloat
	case reflect.String:
		jt.enc, jt.dec = encString, decString
	case reflect.Interface:
		jt.enc, jt.dec = encInterface, decInterface
	case reflect.Pointer:
		elem, err := b.build(t.Elem())
		if err != nil {
			return err
		}
		jt.enc, jt.dec = pointerCodec(t, elem)
		jt.elem = elem
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType) && !t.Elem().Implements(marshalerType) {
			jt.enc, jt.dec = encBytes, decBytes
			return nil
		}
		elem, err := b.build(t.Elem())
		if err != nil {
			return err
		}
		jt.enc, jt.dec = sliceCodec(t, elem)
	case reflect.Array:
		elem, err := b.build(t.Elem())
		if err != nil {
			return err
		}
		jt.enc, jt.dec = arrayCodec(t, elem)
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			return fmt.Errorf("map key type %s is not supported (string or integer keys only)", t.Key())
		}
		elem, err := b.build(t.Elem())
		if err != nil {
			return err
		}
		jt.enc, jt.dec = mapCodec(t, elem)
	case reflect.Struct:
		fields, err := b.structFields(t)
		if err != nil {
			return err
		}
		jt.enc, jt.dec = structCodec(fields)
		jt.fields = fields
	default:
		return fmt.Errorf("type %s (kind %s) cannot be carried in JSON", t, t.Kind())
	}
	return nil
}

// fieldKind names the plain decoders (of a field with no UnmarshalJSON)
// that decodeStruct calls directly, with a fast path for the common values.
type fieldKind uint8

const (
	fieldOther fieldKind = iota
	fieldFloat32
	fieldFloat64
	fieldUint
	fieldInt
	fieldString
)

var fieldKinds = map[reflect.Kind]fieldKind{
	reflect.Float32: fieldFloat32, reflect.Float64: fieldFloat64,
	reflect.Uint: fieldUint, reflect.Uint8: fieldUint, reflect.Uint16: fieldUint, reflect.Uint32: fieldUint,
	reflect.Uint64: fieldUint, reflect.Uintptr: fieldUint,
	reflect.Int: fieldInt, reflect.Int8: fieldInt, reflect.Int16: fieldInt, reflect.Int32: fieldInt, reflect.Int64: fieldInt,
	reflect.String: fieldString,
}

// jsonField is one field of a struct as JSON sees it.
type jsonField struct {
	name      string
	key       []byte    // `"name":` as written on the wire
	plainKey  string    // key, when name needs no escape in JSON; else ""
	keyWord   uint64    // plainKey's bytes, little-endian, when it has at most 8
	keyMask   uint64    // the bytes of keyWord that hold plainKey; 0 when it has more
	kind      fieldKind // the kind decodeStruct decodes itself, or 0
	index     []int     // field index path, through embedded structs
	omitEmpty bool
	omitZero  func(reflect.Value) bool // set by the omitzero option
	typ       *Type
	depth     int  // embedding depth, for name conflicts
	tagged    bool // the name came from a json tag
}

// structFields lists the JSON fields of struct type t in field order, with
// encoding/json's rules: json tags give names ("-" hides a field,
// omitempty, omitzero), embedded structs without a tag name lend their fields, a
// shallower field hides a deeper one of the same name, and a tie hides both
// unless exactly one is tagged.
func (b *jsonBuilder) structFields(t reflect.Type) ([]jsonField, error) {
	var all []jsonField
	var walk func(t reflect.Type, index []int, depth int, visited []reflect.Type) error
	walk = func(t reflect.Type, index []int, depth int, visited []reflect.Type) error {
		if slices.Contains(visited, t) {
			return nil // an embedding cycle through pointers: encoding/json ignores it too
		}
		visited = append(visited, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					if !sf.IsExported() && ft.Kind() == reflect.Pointer {
						continue // cannot allocate through an unexported pointer
					}
					if err := walk(et, append(slices.Clip(index), i), depth+1, visited); err != nil {
						return err
					}
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			f := jsonField{name: name, index: append(slices.Clip(index), i), depth: depth, tagged: name != ""}
			if f.name == "" {
				f.name = sf.Name
			}
			for opt := range strings.SplitSeq(opts, ",") {
				switch opt {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = zeroTest(ft)
				case "string":
					return fmt.Errorf("field %s.%s: the json \",string\" option is not supported", t, sf.Name)
				}
			}
			jt, err := b.build(ft)
			if err != nil {
				return fmt.Errorf("field %s.%s: %w", t, sf.Name, err)
			}
			f.typ = jt
			if len(f.index) == 1 && !reflect.PointerTo(ft).Implements(unmarshalerType) {
				f.kind = fieldKinds[ft.Kind()]
			}
			f.key = append(appendPyString(nil, f.name), ':')
			if len(f.key) == len(f.name)+3 { // nothing escaped
				f.plainKey = string(f.key)
				if len(f.key) <= 8 {
					for n, c := range f.key {
						f.keyWord |= uint64(c) << (8 * n)
						f.keyMask |= 0xff << (8 * n)
					}
				}
			}
			all = append(all, f)
		}
		return nil
	}
	if err := walk(t, nil, 0, nil); err != nil {
		return nil, err
	}
	// Resolve name conflicts.
	var out []jsonField
	for i, f := range all {
		best, count, taggedCount, bestTagged := -1, 0, 0, -1
		for j, g := range all {
			if g.name != f.name {
				continue
			}
			if best < 0 || g.depth < all[best].depth {
				best, count, taggedCount, bestTagged = j, 0, 0, -1
			}
			if g.depth == all[best].depth {
				count++
				if g.tagged {
					taggedCount++
					bestTagged = j
				}
			}
		}
		switch {
		case count == 1 && best == i:
			out = append(out, f)
		case count > 1 && taggedCount == 1 && bestTagged == i:
			out = append(out, f)
		}
	}
	return out, nil
}
