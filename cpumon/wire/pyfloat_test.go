package wire

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestAppendPyFloatMatchesPython checks the Go float formatting against
// testdata/pyfloat.txt, written by Python's json.dumps (gen_golden.py).
func TestAppendPyFloatMatchesPython(t *testing.T) {
	f, err := os.Open("testdata/pyfloat.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		hex, want, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		v, err := strconv.ParseFloat(hex, 64)
		if err != nil {
			t.Fatalf("parse %q: %v", hex, err)
		}
		if got := string(AppendPyFloat(nil, v)); got != want {
			t.Errorf("AppendPyFloat(%v) = %q, Python writes %q", v, got, want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Fatalf("only %d vectors read", n)
	}
}

func TestAppendPyFloatAppends(t *testing.T) {
	got := string(AppendPyFloat([]byte("x="), 3))
	if got != "x=3.0" {
		t.Fatalf("got %q", got)
	}
}
