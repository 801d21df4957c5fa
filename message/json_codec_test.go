package message_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/cablecar-go/cablecar/internal/testtypes"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

// MsgStats is the cpu_mon example's message (docs/compat.md).
type MsgStats = testtypes.MsgStats

// Floats holds the float64 corner cases of testdata/json.golden.
type Floats struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
	C float64 `json:"c"`
	D float64 `json:"d"`
	E float64 `json:"e"`
	F float64 `json:"f"`
	G float64 `json:"g"`
	H float64 `json:"h"`
	I float64 `json:"i"`
	J float64 `json:"j"`
	K float64 `json:"k"`
}

func (*Floats) MessageName() string { return "Floats" }

type NonFinite struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
	C float64 `json:"c"`
}

func (*NonFinite) MessageName() string { return "NonFinite" }

// Inner and Nested carry every kind of JSON value.
type (
	Inner  = testtypes.Inner
	Nested = testtypes.Nested
)

func ptr[T any](v T) *T { return &v }

func testJSONCodec(opts *message.Options) *message.JSONCodec {
	c := message.NewJSONCodec(opts)
	for _, f := range []func() message.Message{
		func() message.Message { return new(Position) },
		func() message.Message { return new(Text) },
		func() message.Message { return new(MsgStats) },
		func() message.Message { return new(Floats) },
		func() message.Message { return new(NonFinite) },
		func() message.Message { return new(Nested) },
	} {
		c.Register(f)
	}
	return c
}

var jsonGoldens = map[string]message.Message{
	"identify":      &message.MsgIdentify{Username: "pyuser", Hostname: "pyhost"},
	"join":          &message.MsgJoin{},
	"retry":         &message.MsgRetry{},
	"quit":          &message.MsgQuit{},
	"position":      &Position{ID: 7, X: 1.5, Y: -2, Z: 0.25},
	"position_frac": &Position{ID: math.MaxUint32, X: 0.1, Y: 1e-05, Z: 1e16},
	"stats": &MsgStats{
		Host: "h\u00f6st-\u6f22\U0001F600<&>\"\\\t\x01\x7f", CPUPercent: 12.5, LoadAvg: [3]float64{0.52, 1, 100},
		MemoryPercent: 33.33333333333333, MemoryTotal: 16777216000, Temp: ptr(47.0),
	},
	"floats": &Floats{A: 1e-07, B: 123456789012345.0, C: 1.2345678901234567e16, D: math.Copysign(0, -1),
		E: 5e-324, F: 1.7976931348623157e308, G: 0.30000000000000004, H: 1e21, I: 100, J: 0.0001, K: 1e22},
	"nonfinite": &NonFinite{A: math.NaN(), B: math.Inf(1), C: math.Inf(-1)},
	"nested": &Nested{Name: "n", Tags: []string{"a", "b"}, Scores: map[string]int{"x": 1, "y": 2},
		Inner: Inner{OK: true}, Empty: []int{}, Raw: []any{int64(1), "two", 3.0}},
}

// equalJSONMsg compares messages, NaN equal to NaN and -0 to -0 only.
func equalJSONMsg(a, b message.Message) bool {
	if x, ok := a.(*NonFinite); ok {
		y, ok := b.(*NonFinite)
		return ok && sameFloat(x.A, y.A) && sameFloat(x.B, y.B) && sameFloat(x.C, y.C)
	}
	if x, ok := a.(*Floats); ok {
		y, ok := b.(*Floats)
		return ok && *x == *y && math.Signbit(x.D) == math.Signbit(y.D)
	}
	return reflect.DeepEqual(a, b)
}

func sameFloat(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
}

func TestJSONGolden(t *testing.T) {
	t.Parallel()
	golden := codectest.ReadGolden(t, "json.golden")
	if len(golden) != len(jsonGoldens) {
		t.Fatalf("json.golden has %d vectors, the test knows %d", len(golden), len(jsonGoldens))
	}
	c := testJSONCodec(nil)
	for label, want := range jsonGoldens {
		t.Run(label, func(t *testing.T) {
			line := []byte(golden[label] + "\n")
			m, n, err := c.Decode(line)
			if err != nil || n != len(line) {
				t.Fatalf("Decode = (%v, %d, %v), want n=%d", m, n, err, len(line))
			}
			if !equalJSONMsg(m, want) {
				t.Fatalf("Decode = %#v, want %#v", m, want)
			}
			again, err := c.AppendFrame(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, line) {
				t.Fatalf("re-encoded\n%s golden\n%s", again, line)
			}
			enc, err := c.AppendFrame(nil, want)
			if err != nil || !bytes.Equal(enc, line) {
				t.Fatalf("encoded\n%s golden\n%s (err %v)", enc, line, err)
			}
		})
	}
}

// TestJSONDecodeFrom: DecodeFrom finds the line end after from, gives what
// Decode gives, and keeps the MaxFrame limit.
func TestJSONDecodeFrom(t *testing.T) {
	c := testJSONCodec(&message.Options{MaxFrame: 64})
	line := []byte(`["Position",{"id":7,"x":1.5,"y":-2.0,"z":0.25}]` + "\n" + `["MsgQuit",{}]` + "\n")
	end := bytes.IndexByte(line, '\n') + 1
	for from := -1; from <= end+1; from++ {
		// A reader that got "need more" after each prefix resumes there.
		for k := max(from, 0); k < end; k++ {
			if m, n, err := c.DecodeFrom(line[:k], from); m != nil || n != 0 || err != nil {
				t.Fatalf("DecodeFrom(line[:%d], %d) = (%v, %d, %v), want need more", k, from, m, n, err)
			}
		}
		m, n, err := c.DecodeFrom(line, min(from, end-1))
		if err != nil || n != end || m.(*Position).ID != 7 {
			t.Fatalf("DecodeFrom(line, %d) = (%v, %d, %v)", from, m, n, err)
		}
	}
	long := bytes.Repeat([]byte{' '}, 100)
	for _, from := range []int{0, 10, 63, 64, 100, 200} {
		_, n, err := c.DecodeFrom(long, from)
		if !errors.Is(err, message.ErrTooLarge) || n != 0 {
			t.Errorf("DecodeFrom(100 spaces, %d) = (%d, %v), want fatal ErrTooLarge", from, n, err)
		}
	}
}
