// Package jsonwire is the JSON engine of package message's JSONCodec: the
// scanner, the compiled per-type encoders and decoders and Python's float
// and string formatting. The codec's registry, its public API and its
// errors live in package message; this package knows nothing of messages.
//
// A line is ["Name",{...}]: Head reads up to the name, the codec looks the
// name up, Open reads up to the object and Body reads the rest into the
// registered type's value.
package jsonwire

import (
	"errors"
	"reflect"
)

// Encode appends the JSON of v, a value of the type jt was compiled for.
func (jt *Type) Encode(dst []byte, v reflect.Value) ([]byte, error) {
	return jt.enc(dst, v, 0)
}

// Head reads the start of a line up to its type name: '[' and a string,
// with any spacing. It returns the name's raw bytes (still escaped when
// escaped is true: see Unescape), the name's offset and the offset after it.
func Head(line []byte) (raw []byte, escaped bool, nameOff, next int, err error) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '[' {
		return nil, false, i, i, unexpected(line, i, `'[' (a line is ["Name",{...}])`)
	}
	i = skipSpace(line, i+1)
	raw, escaped, next, err = scanString(line, i)
	return raw, escaped, i, next, err
}

// Open reads, from i (the offset after the name), the ',' and any spacing
// up to the object, and returns the object's offset. It is a separate step
// so that a line that has no object costs no value.
func Open(line []byte, i int) (int, error) {
	i = skipSpace(line, i)
	if i >= len(line) || line[i] != ',' {
		return i, unexpected(line, i, "','")
	}
	i = skipSpace(line, i+1)
	if i >= len(line) || line[i] != '{' {
		return i, unexpected(line, i, "an object")
	}
	return i, nil
}

// Body reads the rest of a line from i, the object's offset as Open
// returns it: the object, ']' and nothing more but spacing, into v, a
// non-nil pointer of the type jt was compiled for.
func Body(line []byte, i int, jt *Type, v reflect.Value) error {
	var err error
	if st := jt.elem; st != nil && st.fields != nil && !v.IsNil() {
		// A pointer to a plain struct: jt.dec's work, without the
		// indirect calls.
		i, err = decodeStruct(st.fields, line, i, v.Elem(), 0)
	} else {
		i, err = jt.dec(line, i, v, 0)
	}
	if err != nil {
		return err
	}
	i = skipSpace(line, i)
	if i >= len(line) || line[i] != ']' {
		return unexpected(line, i, "']'")
	}
	if i = skipSpace(line, i+1); i != len(line) {
		return unexpected(line, i, "the end of the line")
	}
	return nil
}

// Unescape appends the unescaped bytes of raw, a string's body as Head
// returns it, to dst.
func Unescape(dst, raw []byte) []byte { return unescape(dst, raw) }

// AppendString appends s as a JSON string, as Python's json.dumps writes it
// (ensure_ascii).
func AppendString(dst []byte, s string) []byte { return appendPyString(dst, s) }

// AppendFloat appends f as Python's repr writes it; bitSize 32 gives the
// shortest digits that identify f as a float32.
func AppendFloat(dst []byte, f float64, bitSize int) []byte { return appendPyFloat(dst, f, bitSize) }

// InvalidUTF8 is the error for invalid UTF-8 at offset off of a line.
func InvalidUTF8(off int) error { return errInvalidUTF8(off) }

// Error is an engine error at a known offset of the line.
func Error(off int, err error) error { return &jsonErr{off: off, err: err} }

// Offset splits an engine error into the offset of the line where it was
// found and its cause (wrapping a sentinel); ok is false for another error.
func Offset(err error) (off int, cause error, ok bool) {
	var je *jsonErr
	if errors.As(err, &je) {
		return je.off, je.err, true
	}
	return 0, err, false
}
