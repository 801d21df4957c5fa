package jsonwire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
)

func encBool(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return strconv.AppendBool(dst, v.Bool()), nil
}

func encInt(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return strconv.AppendInt(dst, v.Int(), 10), nil
}

func encUint(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return strconv.AppendUint(dst, v.Uint(), 10), nil
}

func encFloat32(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return appendPyFloat(dst, v.Float(), 32), nil
}

func encFloat64(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return appendPyFloat(dst, v.Float(), 64), nil
}

func encString(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return appendPyString(dst, v.String()), nil
}

// encBytes writes a []byte as a base64 string, as encoding/json does.
func encBytes(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	b := v.Bytes()
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"'), nil
}

func tooDeep() error { return fmt.Errorf("%w: %w (a cyclic value?)", ErrBadPayload, errTooDeep) }

func encInterface(dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if v.IsNil() {
		return append(dst, "null"...), nil
	}
	if depth >= maxJSONDepth {
		return dst, tooDeep()
	}
	e := v.Elem()
	jt, err := TypeFor(e.Type())
	if err != nil {
		return dst, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return jt.enc(dst, e, depth+1)
}

// encMarshaler calls MarshalJSON and writes its output compacted and with
// non-ASCII characters escaped, so that the line stays as Python writes it.
func encMarshaler(dst []byte, v reflect.Value, _ int) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return append(dst, "null"...), nil
	}
	out, err := v.Interface().(json.Marshaler).MarshalJSON()
	if err != nil {
		return dst, fmt.Errorf("%w: MarshalJSON of %s: %w", ErrBadPayload, v.Type(), err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, out); err != nil {
		return dst, fmt.Errorf("%w: MarshalJSON of %s: %w", ErrBadPayload, v.Type(), err)
	}
	return appendASCIIJSON(dst, compact.Bytes()), nil
}

// appendASCIIJSON appends valid, compact JSON with every non-ASCII
// character (only possible inside strings) and DEL written as \uXXXX.
func appendASCIIJSON(dst, js []byte) []byte {
	for i := 0; i < len(js); {
		c := js[i]
		if c < 0x7f {
			dst = append(dst, c)
			i++
			continue
		}
		if c == 0x7f {
			dst = appendU(dst, 0x7f)
			i++
			continue
		}
		r, size := utf8.DecodeRune(js[i:])
		dst = appendURune(dst, r)
		i += size
	}
	return dst
}
