package jsonwire

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unsafe"
)

// decodeArray calls elem for each element of the array at data[i] ('['),
// with the offset of the element, and returns the offset after the array.
func decodeArray(data []byte, i, depth int, elem func(data []byte, i int) (int, error)) (int, error) {
	i, done, err := openContainer(data, i, depth, ']')
	for !done && err == nil {
		if i >= len(data) {
			return i, unexpected(data, i, "a value")
		}
		if i, err = elem(data, i); err != nil {
			return i, err
		}
		i, done, err = nextMember(data, i, ']')
	}
	return i, err
}

// decodeObject calls member for each member of the object at data[i] ('{'),
// with the raw key, whether it has escapes, the key's offset and the offset
// of the value, and returns the offset after the object.
func decodeObject(data []byte, i, depth int, member func(rawKey []byte, escaped bool, keyOff int, data []byte, i int) (int, error)) (int, error) {
	i, done, err := openContainer(data, i, depth, '}')
	for !done && err == nil {
		keyOff := i
		raw, escaped, next, keyErr := scanString(data, i)
		if keyErr != nil {
			return next, keyErr
		}
		if i, err = afterColon(data, next); err != nil {
			return i, err
		}
		if i >= len(data) {
			return i, unexpected(data, i, "a value")
		}
		if i, err = member(raw, escaped, keyOff, data, i); err != nil {
			return i, err
		}
		i, done, err = nextMember(data, i, '}')
	}
	return i, err
}

func decBool(data []byte, i int, v reflect.Value, _ int) (int, error) {
	switch data[i] {
	case 't':
		v.SetBool(true)
		return expectLiteral(data, i, "true")
	case 'f':
		v.SetBool(false)
		return expectLiteral(data, i, "false")
	case 'n':
		return expectLiteral(data, i, "null")
	}
	return i, unexpected(data, i, "true or false")
}

// parseUint parses the digits of tok (no sign); ok is false on overflow.
func parseUint(tok []byte) (n uint64, ok bool) {
	for _, c := range tok {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

func decInt(data []byte, i int, v reflect.Value, _ int) (int, error) {
	if data[i] == 'n' {
		return expectLiteral(data, i, "null")
	}
	tok, isInt, next, err := scanNumber(data, i)
	if err != nil {
		return next, err
	}
	if !isInt {
		return i, malformedAt(i, "%s is not an integer (want %s)", tok, v.Type())
	}
	neg := tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	u, ok := parseUint(tok)
	var n int64
	switch {
	case !ok:
	case neg && u <= 1<<63:
		n = int64(-u)
	case !neg && u < 1<<63:
		n = int64(u)
	default:
		ok = false
	}
	if !ok || v.OverflowInt(n) {
		return i, malformedAt(i, "number overflows %s", v.Type())
	}
	v.SetInt(n)
	return next, nil
}

func decUint(data []byte, i int, v reflect.Value, _ int) (int, error) {
	if u, next, ok := fastUint(data, i); ok && !v.OverflowUint(u) {
		v.SetUint(u)
		return next, nil
	}
	if data[i] == 'n' {
		return expectLiteral(data, i, "null")
	}
	tok, isInt, next, err := scanNumber(data, i)
	if err != nil {
		return next, err
	}
	if !isInt || tok[0] == '-' {
		return i, malformedAt(i, "%s is not an unsigned integer (want %s)", tok, v.Type())
	}
	u, ok := parseUint(tok)
	if !ok || v.OverflowUint(u) {
		return i, malformedAt(i, "number overflows %s", v.Type())
	}
	v.SetUint(u)
	return next, nil
}

// parseNumber converts a token from scanNumber to a float of bitSize bits.
func parseNumber(tok []byte, bitSize int) (float64, error) {
	switch string(tok) {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if f, _, ok := fastFloat(tok, 0, bitSize); ok {
		return f, nil
	}
	// The token was checked by scanNumber and ParseFloat does not keep its
	// argument (its errors hold a copy), so no copy is needed here.
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(tok), len(tok)), bitSize)
	if err != nil { // out of range: ±Inf with ErrRange
		return f, err
	}
	return f, nil
}

func decFloat(data []byte, i int, v reflect.Value, _ int) (int, error) {
	bits := 64
	if v.Kind() == reflect.Float32 {
		bits = 32
	}
	if f, next, ok := fastFloat(data, i, bits); ok {
		v.SetFloat(f)
		return next, nil
	}
	return decFloatSlow(data, i, v, bits)
}

// decFloatSlow is decFloat for a value fastFloat does not take.
func decFloatSlow(data []byte, i int, v reflect.Value, bits int) (int, error) {
	if data[i] == 'n' {
		return expectLiteral(data, i, "null")
	}
	tok, _, next, err := scanNumber(data, i)
	if err != nil {
		return next, err
	}
	f, err := parseNumber(tok, bits)
	if err != nil {
		return i, malformedAt(i, "number %s does not fit %s", tok, v.Type())
	}
	v.SetFloat(f)
	return next, nil
}

func decString(data []byte, i int, v reflect.Value, _ int) (int, error) {
	if data[i] == 'n' {
		return expectLiteral(data, i, "null")
	}
	raw, escaped, next, err := scanString(data, i)
	if err != nil {
		return next, err
	}
	if escaped {
		v.SetString(string(unescape(make([]byte, 0, len(raw)), raw)))
	} else {
		v.SetString(string(raw))
	}
	return next, nil
}

func decBytes(data []byte, i int, v reflect.Value, _ int) (int, error) {
	if data[i] == 'n' {
		v.SetZero()
		return expectLiteral(data, i, "null")
	}
	raw, escaped, next, err := scanString(data, i)
	if err != nil {
		return next, err
	}
	if escaped {
		raw = unescape(nil, raw)
	}
	b, err := base64DecodeString(raw)
	if err != nil {
		return i, malformedAt(i, "bad base64: %v", err)
	}
	v.SetBytes(b)
	return next, nil
}

// decInterface decodes into an interface. An empty interface (any) gets
// string, bool, nil, []any, map[string]any, int64 for an integer that fits
// and float64 for other numbers (so that a Python int stays an int when
// re-encoded). Other interfaces accept only null.
func decInterface(data []byte, i int, v reflect.Value, depth int) (int, error) {
	if data[i] == 'n' {
		v.SetZero()
		return expectLiteral(data, i, "null")
	}
	if v.NumMethod() != 0 {
		return i, malformedAt(i, "cannot decode into non-empty interface %s", v.Type())
	}
	x, next, err := decodeAny(data, i, depth)
	if err != nil {
		return next, err
	}
	if x == nil {
		v.SetZero()
	} else {
		v.Set(reflect.ValueOf(x))
	}
	return next, nil
}

func decodeAny(data []byte, i, depth int) (any, int, error) {
	switch data[i] {
	case 'n':
		next, err := expectLiteral(data, i, "null")
		return nil, next, err
	case 't':
		next, err := expectLiteral(data, i, "true")
		return true, next, err
	case 'f':
		next, err := expectLiteral(data, i, "false")
		return false, next, err
	case '"':
		raw, escaped, next, err := scanString(data, i)
		if err != nil {
			return nil, next, err
		}
		if escaped {
			return string(unescape(nil, raw)), next, nil
		}
		return string(raw), next, nil
	case '[':
		out := []any{}
		next, err := decodeArray(data, i, depth, func(data []byte, i int) (int, error) {
			x, next, err := decodeAny(data, i, depth+1)
			out = append(out, x)
			return next, err
		})
		return out, next, err
	case '{':
		out := map[string]any{}
		next, err := decodeObject(data, i, depth, func(rawKey []byte, escaped bool, _ int, data []byte, i int) (int, error) {
			x, next, err := decodeAny(data, i, depth+1)
			if escaped {
				out[string(unescape(nil, rawKey))] = x
			} else {
				out[string(rawKey)] = x
			}
			return next, err
		})
		return out, next, err
	}
	tok, isInt, next, err := scanNumber(data, i)
	if err != nil {
		return nil, next, err
	}
	if isInt {
		neg := tok[0] == '-'
		digits := tok
		if neg {
			digits = tok[1:]
		}
		if u, ok := parseUint(digits); ok {
			if !neg && u < 1<<63 {
				return int64(u), next, nil
			}
			if neg && u <= 1<<63 {
				return int64(-u), next, nil
			}
		}
	}
	f, _ := parseNumber(tok, 64) // out of range: ±Inf, as Python gives
	return f, next, nil
}

// decUnmarshaler hands the raw JSON value at data[i] to UnmarshalJSON (v is
// addressable). Its error rejects the frame with ErrBadPayload.
func decUnmarshaler(data []byte, i int, v reflect.Value, depth int) (int, error) {
	next, err := skipValue(data, i, depth)
	if err != nil {
		return next, err
	}
	if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data[i:next]); err != nil {
		return i, &jsonErr{off: i, err: fmt.Errorf("%w: UnmarshalJSON of %s: %w", ErrBadPayload, v.Type(), err)}
	}
	return next, nil
}

var (
	pow10f64 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
	pow10f32 = [...]float32{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}
)

// fastFloat scans and converts, in one pass, the JSON number at data[i]
// when its digits fit the float's mantissa exactly and its decimal exponent
// is small: then one division by an exact power of ten is correctly rounded
// (Clinger's fast path, which strconv uses too). ok is false for any other
// token (exponent, many digits, NaN, bad syntax); the slow path handles it.
func fastFloat(data []byte, i, bitSize int) (f float64, next int, ok bool) {
	j := i
	neg := j < len(data) && data[j] == '-'
	if neg {
		j++
	}
	start := j
	var mant uint64
	if j < len(data) && data[j] == '0' {
		j++
	} else {
		j, mant = addDigits(data, j, 0)
		if j == start {
			return 0, i, false
		}
	}
	digits, exp := j-start, 0
	if j < len(data) && data[j] == '.' {
		j++
		frac := j
		j, mant = addDigits(data, j, mant)
		if j == frac {
			return 0, i, false
		}
		exp = frac - j
		digits += j - frac
	}
	// At most 19 digits: mant is exact (< 10^19 < 2^64).
	if digits > 19 || j < len(data) && data[j]|0x20 == 'e' {
		return 0, i, false
	}
	if bitSize == 32 {
		if mant >= 1<<24 || exp < -10 {
			return 0, i, false
		}
		r := float32(mant) / pow10f32[-exp]
		if neg {
			r = -r
		}
		return float64(r), j, true
	}
	if mant >= 1<<53 || exp < -22 {
		return 0, i, false
	}
	f = float64(mant) / pow10f64[-exp]
	if neg {
		f = -f
	}
	return f, j, true
}

// addDigits appends the decimal digits from data[j] on to n and returns
// the offset after them. The caller bounds their count (at most 19 keep n
// exact).
func addDigits(data []byte, j int, n uint64) (int, uint64) {
	for ; j < len(data); j++ {
		d := data[j] - '0'
		if d > 9 {
			break
		}
		n = n*10 + uint64(d)
	}
	return j, n
}

// fastUint scans and converts the JSON integer at data[i] when it is plain
// digits of at most 19 (so no overflow); ok is false otherwise.
func fastUint(data []byte, i int) (u uint64, next int, ok bool) {
	j := i
	if j < len(data) && data[j] == '0' {
		j++
	} else {
		j, u = addDigits(data, j, 0)
		if j == i || j-i > 19 {
			return 0, i, false
		}
	}
	if j < len(data) && (data[j] == '.' || data[j] == 'e' || data[j] == 'E') {
		return 0, i, false
	}
	return u, j, true
}

func base64DecodeString(raw []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
	n, err := base64.StdEncoding.Decode(out, raw)
	return out[:n], err
}
