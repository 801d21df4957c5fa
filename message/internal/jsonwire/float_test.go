package jsonwire

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestShortDecimalMatchesSlowPath checks appendPyFloat's fast path against
// the strconv-based one on values it takes and values near them.
func TestShortDecimalMatchesSlowPath(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(f float64, bits int) {
		if bits == 32 {
			f = float64(float32(f))
		}
		fast, ok := appendShortDecimal(nil, f, bits)
		if !ok {
			return
		}
		if slow := appendPyFloatSlow(nil, f, bits); string(fast) != string(slow) {
			t.Fatalf("%v (float%d): fast path %q, strconv path %q", f, bits, fast, slow)
		}
	}
	taken := 0
	for i := range 300000 {
		j := rng.IntN(9)
		n := rng.Int64N(1 << uint(rng.IntN(54)))
		f := float64(n) / math.Pow10(j)
		if i%2 == 0 {
			f = -f
		}
		for _, g := range []float64{f, math.Nextafter(f, math.Inf(1)), math.Nextafter(f, math.Inf(-1))} {
			check(g, 64)
			check(g, 32)
		}
		check(math.Float64frombits(rng.Uint64()), 64)
		check(float64(math.Float32frombits(rng.Uint32())), 32)
		check(rng.Float64()*math.Pow10(rng.IntN(20)-5), 64)
		if _, ok := appendShortDecimal(nil, f, 64); ok {
			taken++
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e-4, 1e15 - 1, 999999999999999.9, 0.1, 0.7, 1.0000001, 123456.7, 16777216, 33.33333333333333} {
		check(f, 64)
		check(f, 32)
	}
	if taken < 100000 {
		t.Fatalf("fast path taken only %d times: the test checks little", taken)
	}
}
