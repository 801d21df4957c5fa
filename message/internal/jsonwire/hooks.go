package jsonwire

import "reflect"

// RunsUserCode reports whether encoding a value of type t can call code of
// the program's own: a MarshalJSON, an IsZero (omitzero), or anything an
// interface field may hold. Only then does the codec pay for recovering a
// panic on the encoding side; the engine's own walk of plain fields does
// not call out.
func RunsUserCode(t reflect.Type) bool {
	return runsUserCode(t, make(map[reflect.Type]bool))
}

func runsUserCode(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // recursive: its other paths are looked at already
	}
	seen[t] = true
	for _, hook := range []reflect.Type{marshalerType, unmarshalerType, isZeroerType} {
		if t.Implements(hook) || t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(hook) {
			return true
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return runsUserCode(t.Elem(), seen)
	case reflect.Map:
		return runsUserCode(t.Key(), seen) || runsUserCode(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if runsUserCode(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
