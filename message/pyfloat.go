package message

import "github.com/cablecar-go/cablecar/message/internal/jsonwire"

// AppendPythonFloat appends f as Python's repr(float) and json.dumps write
// it — "1.0", "0.0001", "1e-05", "1e+16", the shortest digits that read back
// to f; NaN, Infinity and -Infinity for the non-finite values — for types
// whose MarshalJSON must write numbers exactly as a Python peer does.
func AppendPythonFloat(dst []byte, f float64) []byte {
	return jsonwire.AppendFloat(dst, f, 64)
}
