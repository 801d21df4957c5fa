package message

// AppendPythonFloat appends f as Python's repr(float) and json.dumps write
// it — "1.0", "0.0001", "1e-05", "1e+16", the shortest digits that read back
// to f; NaN, Infinity and -Infinity for the non-finite values — for types
// whose MarshalJSON must write numbers exactly as a Python peer does.
func AppendPythonFloat(dst []byte, f float64) []byte {
	return appendPyFloat(dst, f, 64)
}
