package jsonwire

import (
	"math"
	"strconv"
)

// appendPyFloat appends f as Python's repr(float) and json.dumps write it:
// the shortest digits that read back to the same value (of bitSize bits:
// a float32 is written with the digits that identify it as a float32),
// fixed notation with at least one decimal ("1.0", "0.0001",
// "1234567890123456.0") when the decimal exponent is in [-4, 16), else
// scientific notation with a signed, at least two-digit exponent ("1e-05",
// "1e+16", "1.5e+300"). NaN and the infinities are written as Python does by
// default: NaN, Infinity, -Infinity.
func appendPyFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if out, ok := appendShortDecimal(dst, f, bitSize); ok {
		return out
	}
	return appendPyFloatSlow(dst, f, bitSize)
}

// appendPyFloatSlow is appendPyFloat for finite f, by way of strconv's
// shortest digits.
func appendPyFloatSlow(dst []byte, f float64, bitSize int) []byte {
	var tmp [32]byte
	b := strconv.AppendFloat(tmp[:0], f, 'e', -1, bitSize) // [-]d[.ddd]e±dd[d]
	if b[0] == '-' {
		dst = append(dst, '-')
		b = b[1:]
	}
	e := len(b) - 4
	for b[e] != 'e' {
		e--
	}
	exp := 0
	for _, c := range b[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[e+1] == '-' {
		exp = -exp
	}
	// The digits are b[0] and frac (b[2:e] when there is a '.').
	var frac []byte
	if e > 1 {
		frac = b[2:e]
	}
	point := exp + 1 // value = 0.DIGITS * 10^point
	switch {
	case point <= -4 || point > 16:
		// strconv's form is Python's: "1e+16", "1.5e-07", "5e-324".
		return append(dst, b...)
	case point <= 0:
		dst = append(dst, '0', '.')
		for ; point < 0; point++ {
			dst = append(dst, '0')
		}
		dst = append(dst, b[0])
		return append(dst, frac...)
	case point > len(frac):
		dst = append(dst, b[0])
		dst = append(dst, frac...)
		for i := len(frac) + 1; i < point; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	default:
		dst = append(dst, b[0])
		dst = append(dst, frac[:point-1]...)
		dst = append(dst, '.')
		return append(dst, frac[point-1:]...)
	}
}

// appendShortDecimal is appendPyFloat's fast path for the numbers games and
// sensors send most: 0 or a magnitude in [1e-4, 1e15) with at most 7
// decimals (1.5, -20.25, 300.125, 0.1). For j = 0, 1, ... it takes the
// integer n nearest to |f|*10^j and checks that n/10^j reads back as f (one
// correctly rounded division of exact values, Clinger's fast path); the
// first j that works gives the shortest digits, as repr's.
//
// It tries j only while ulp(f)*10^j < 1/3: then at most one j-decimal
// number reads back as f (they are 10^-j apart, more than an ulp), and the
// rounded product a*10^j still rounds to it, so the answer is exactly
// strconv's. ok is false when no such j works; the slow path takes f then.
// Tests compare both paths.
func appendShortDecimal(dst []byte, f float64, bitSize int) ([]byte, bool) {
	a := math.Abs(f)
	if a == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...), true
		}
		return append(dst, "0.0"...), true
	}
	if a < 1e-4 || a >= 1e15 {
		return dst, false
	}
	var ulp float64
	if bitSize == 32 {
		e := math.Float32bits(float32(a)) >> 23 & 0xff // normal: a >= 1e-4
		ulp = math.Float64frombits(uint64(e-150+1023) << 52)
	} else {
		e := math.Float64bits(a) >> 52 & 0x7ff
		ulp = math.Float64frombits((e - 52) << 52)
	}
	for j := 0; j <= 7 && ulp*pow10f64[j] < 1.0/3; j++ {
		n := math.Round(a * pow10f64[j])
		if bitSize == 32 {
			if float32(n)/pow10f32[j] != float32(a) { // n < 2^24 here
				continue
			}
		} else if n/pow10f64[j] != a { // n < 2^53 here
			continue
		}
		if math.Signbit(f) {
			dst = append(dst, '-')
		}
		u, p := uint64(n), pow10u64[j]
		dst = strconv.AppendUint(dst, u/p, 10)
		dst = append(dst, '.')
		if j == 0 {
			return append(dst, '0'), true
		}
		frac := u % p
		for d := p / 10; d > frac && d > 1; d /= 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendUint(dst, frac, 10), true
	}
	return dst, false
}

var pow10u64 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}
