package wire

import (
	"bytes"
	"strconv"
)

// AppendPyFloat appends f as Python's repr(float) writes it, which is what
// json.dumps emits for a float: the shortest digits that read back as f; a
// plain decimal with at least one digit after the point ("3.0", "0.0001")
// when the decimal exponent is in [-4, 16), otherwise an exponent with a
// sign and at least two digits ("1e-05", "1.5e+16"). f must be finite.
func AppendPyFloat(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
	e := bytes.IndexByte(dst[start:], 'e')
	exp, _ := strconv.Atoi(string(dst[start+e+1:]))
	if exp < -4 || exp >= 16 {
		return dst // Go's shortest 'e' form is Python's: 1e+16, 1.5e-05
	}
	dst = strconv.AppendFloat(dst[:start], f, 'f', -1, 64)
	if bytes.IndexByte(dst[start:], '.') < 0 {
		dst = append(dst, '.', '0')
	}
	return dst
}
