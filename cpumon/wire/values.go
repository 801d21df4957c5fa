package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/cablecar-go/cablecar/message"
)

// Float is a float64 that may be absent. The zero value is absent.
type Float struct {
	V     float64
	Valid bool // false: absent (left out of the JSON object, shown blank)
}

// F returns a present Float holding v.
func F(v float64) Float { return Float{V: v, Valid: true} }

// IsZero reports whether f is absent; encoding/json's omitzero uses it.
func (f Float) IsZero() bool { return !f.Valid }

// MarshalJSON writes f as Python's json.dumps would (see message.AppendPythonFloat), or
// null when f is absent or not finite.
func (f Float) MarshalJSON() ([]byte, error) {
	if !f.Valid || math.IsNaN(f.V) || math.IsInf(f.V, 0) {
		return []byte("null"), nil
	}
	return message.AppendPythonFloat(make([]byte, 0, 24), f.V), nil
}

// UnmarshalJSON sets f from a JSON number. null, or a value that is not a
// number, makes f absent; it never fails, so one odd field does not lose the
// rest of the message.
func (f *Float) UnmarshalJSON(b []byte) error {
	*f = Float{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !isNumberStart(b[0]) {
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) {
		return nil
	}
	*f = F(v)
	return nil
}

// Uint is a uint64 that may be absent (a byte count or a number of
// seconds). The zero value is absent.
type Uint struct {
	V     uint64
	Valid bool // false: absent (left out of the JSON object, shown blank)
}

// U returns a present Uint holding v.
func U(v uint64) Uint { return Uint{V: v, Valid: true} }

// IsZero reports whether u is absent; encoding/json's omitzero uses it.
func (u Uint) IsZero() bool { return !u.Valid }

// MarshalJSON writes u as a JSON integer, or null when absent.
func (u Uint) MarshalJSON() ([]byte, error) {
	if !u.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendUint(make([]byte, 0, 20), u.V, 10), nil
}

// UnmarshalJSON sets u from a JSON number: an integer, or a float that is
// finite, not negative and below 2^64 (truncated). Anything else (null, a
// negative number, a string...) makes u absent without an error.
func (u *Uint) UnmarshalJSON(b []byte) error {
	*u = Uint{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !isNumberStart(b[0]) {
		return nil
	}
	if v, err := strconv.ParseUint(string(b), 10, 64); err == nil {
		*u = U(v)
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || !(v >= 0 && v < 1<<64) {
		return nil
	}
	*u = U(uint64(v))
	return nil
}

// LoadAvg is the 1, 5 and 15 minute load averages. Python sends the tuple
// of psutil.getloadavg() as a JSON list of three floats.
type LoadAvg [3]Float

// IsZero reports whether every entry is absent; encoding/json's omitzero
// uses it.
func (l LoadAvg) IsZero() bool { return !l[0].Valid && !l[1].Valid && !l[2].Valid }

// MarshalJSON writes a list of three floats (null for an absent entry).
func (l LoadAvg) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 48)
	b = append(b, '[')
	for i, f := range l {
		if i > 0 {
			b = append(b, ',')
		}
		fb, _ := f.MarshalJSON()
		b = append(b, fb...)
	}
	return append(b, ']'), nil
}

// UnmarshalJSON sets l from a JSON list: the first three entries are used,
// and an entry that is missing or not a number is absent. A value that is
// not a list makes every entry absent; it never fails.
func (l *LoadAvg) UnmarshalJSON(b []byte) error {
	*l = LoadAvg{}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil
	}
	for i := 0; i < len(raw) && i < len(l); i++ {
		_ = l[i].UnmarshalJSON(raw[i])
	}
	return nil
}

// isNumberStart reports whether c can start a JSON number.
func isNumberStart(c byte) bool { return c == '-' || ('0' <= c && c <= '9') }
