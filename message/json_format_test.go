package message_test

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

// F64 and F32 carry one float, to compare the codec's number text with
// Python's.
type F64 struct {
	V float64 `json:"v"`
}

func (*F64) MessageName() string { return "F64" }

type F32 struct {
	V float32 `json:"v"`
}

func (*F32) MessageName() string { return "F32" }

func floatCodec() *message.JSONCodec {
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(F64) })
	c.Register(func() message.Message { return new(F32) })
	c.Register(func() message.Message { return new(Text) })
	return c
}

// TestJSONFloatsLikePython checks float64 text against Python's json.dumps
// for 3000 values (testdata/floats.golden), both ways.
func TestJSONFloatsLikePython(t *testing.T) {
	t.Parallel()
	c := floatCodec()
	golden := codectest.ReadGolden(t, "floats.golden")
	if len(golden) < 2900 {
		t.Fatalf("floats.golden has only %d values", len(golden))
	}
	for bitsHex, text := range golden {
		bits, err := strconv.ParseUint(bitsHex, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		f := math.Float64frombits(bits)
		want := `["F64",{"v":` + text + "}]\n"
		got, err := c.AppendFrame(nil, &F64{V: f})
		if err != nil || string(got) != want {
			t.Fatalf("%v (%s): encoded %q, Python writes %q (err %v)", f, bitsHex, got, want, err)
		}
		m, _, err := c.Decode([]byte(want))
		if err != nil || math.Float64bits(m.(*F64).V) != bits {
			t.Fatalf("%q: decoded %v, want bits %s (err %v)", want, m, bitsHex, err)
		}
	}
}

// TestJSONFloat32Text checks that a float32 is written with the shortest
// digits that identify it, in Python's layout: Python reads them as the
// float64 with that text, and writes that float64 back the same way.
func TestJSONFloat32Text(t *testing.T) {
	t.Parallel()
	c := floatCodec()
	rng := rand.New(rand.NewPCG(1, 2))
	values := []float32{0, 1, 0.1, 1e-5, 1e16, 3.4028235e38, 1e-45, 16777216, 123456.7}
	for range 20000 {
		values = append(values, math.Float32frombits(rng.Uint32()))
	}
	for _, f := range values {
		if math.IsNaN(float64(f)) {
			continue
		}
		line, err := c.AppendFrame(nil, &F32{V: f})
		if err != nil {
			t.Fatal(err)
		}
		text := string(line[len(`["F32",{"v":`) : len(line)-3])
		// Python's view: the float64 nearest to the text, written back.
		f64, err := strconv.ParseFloat(text, 64)
		if err != nil && !math.IsInf(float64(f), 0) {
			t.Fatalf("%v: %q does not parse: %v", f, text, err)
		}
		again, _ := c.AppendFrame(nil, &F64{V: f64})
		if string(again[len(`["F64",{"v":`):len(again)-3]) != text {
			t.Fatalf("%v: float32 text %q, but Python would write %q", f, text, again)
		}
		m, _, err := c.Decode(line)
		if err != nil || math.Float32bits(m.(*F32).V) != math.Float32bits(f) {
			t.Fatalf("%v: %q decoded to %v (err %v)", f, line, m, err)
		}
	}
}

// TestJSONStringsLikePython checks string escaping against Python's
// json.dumps (ensure_ascii) for 300+ strings (testdata/strings.golden).
func TestJSONStringsLikePython(t *testing.T) {
	t.Parallel()
	c := floatCodec()
	golden := codectest.ReadGolden(t, "strings.golden")
	for utf8Hex, text := range golden {
		s := ""
		if utf8Hex != "-" {
			s = string(codectest.MustHex(t, utf8Hex))
		}
		want := `["Text",{"s":` + text + "}]\n"
		got, err := c.AppendFrame(nil, &Text{S: s})
		if err != nil || string(got) != want {
			t.Fatalf("%q: encoded %q, Python writes %q (err %v)", s, got, want, err)
		}
		m, _, err := c.Decode([]byte(want))
		if err != nil || m.(*Text).S != s {
			t.Fatalf("%q: decoded %#v (err %v), want %q", want, m, err, s)
		}
	}
}
