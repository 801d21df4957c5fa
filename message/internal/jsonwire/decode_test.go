package jsonwire

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestFastFloatMatchesStrconv checks fastFloat against the slow path
// (scanNumber, then strconv.ParseFloat) on random number tokens: when it
// takes a token, it must give the same bits and end at the same offset.
func TestFastFloatMatchesStrconv(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	taken := 0
	check := func(tok string) {
		data := []byte(tok + ",")
		for _, bits := range []int{32, 64} {
			f, next, ok := fastFloat(data, 0, bits)
			if !ok {
				if next != 0 {
					t.Fatalf("fastFloat(%q, %d) refused but moved to %d", tok, bits, next)
				}
				continue
			}
			taken++
			raw, _, want, err := scanNumber(data, 0)
			if err != nil || next != want {
				t.Fatalf("fastFloat(%q, %d) took %q up to %d; scanNumber: %q up to %d (%v)", tok, bits, data[:next], next, raw, want, err)
			}
			g, err := strconv.ParseFloat(string(raw), bits)
			if err != nil || math.Float64bits(f) != math.Float64bits(g) {
				t.Fatalf("fastFloat(%q, %d) = %v (%#x), ParseFloat = %v (%#x, %v)", tok, bits, f, math.Float64bits(f), g, math.Float64bits(g), err)
			}
		}
	}
	for range 200000 {
		var tok string
		if rng.IntN(2) == 0 {
			tok = "-"
		}
		switch n := rng.IntN(21); {
		case n == 0 || rng.IntN(8) == 0:
			tok += "0"
		default:
			tok += string(byte('1'+rng.IntN(9))) + digits(n-1)
		}
		if rng.IntN(4) != 0 {
			tok += "." + strings.Repeat("0", rng.IntN(3)*rng.IntN(8)) + digits(rng.IntN(20))
		}
		check(tok)
	}
	for _, tok := range []string{"0", "-0", "-0.0", "0.0000000001", "0.00000000001", "9007199254740992", "9007199254740993",
		"16777216", "16777217", "1.5", "-20.25", "300.125", "9999999999999999999", "99999999999999999999", "0.1e1", "01", "1.", "-", ".5"} {
		check(tok)
	}
	if taken < 100000 {
		t.Fatalf("fast path taken only %d times: the test checks little", taken)
	}
}
