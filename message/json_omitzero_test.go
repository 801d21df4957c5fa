package message

import (
	"testing"
	"time"
)

// maybe is a value that may be absent, with an IsZero method.
type maybe struct {
	V     float64
	Valid bool
}

func (m maybe) IsZero() bool { return !m.Valid }

// ptrZeroer has IsZero on its pointer only.
type ptrZeroer struct{ N int }

func (p *ptrZeroer) IsZero() bool { return p.N < 0 }

type omitZeroMsg struct {
	Absent maybe     `json:"absent,omitzero"`
	Zero   float64   `json:"zero,omitzero"`
	When   time.Time `json:"when,omitzero"`
	List   []int     `json:"list,omitzero"`
	Ptr    ptrZeroer `json:"ptr,omitzero"`
	Kept   int       `json:"kept"`
}

func (*omitZeroMsg) MessageName() string { return "OmitZero" }

func TestJSONOmitZero(t *testing.T) {
	c := NewJSONCodec(nil)
	c.Register(func() Message { return new(omitZeroMsg) })
	for _, tc := range []struct {
		msg  omitZeroMsg
		want string
	}{
		{omitZeroMsg{Ptr: ptrZeroer{N: -1}}, `["OmitZero",{"kept":0}]` + "\n"},
		{omitZeroMsg{Absent: maybe{V: 0, Valid: true}, Zero: 0.5, List: []int{}, Ptr: ptrZeroer{N: -1}, Kept: 1},
			`["OmitZero",{"absent":{"V":0.0,"Valid":true},"zero":0.5,"list":[],"kept":1}]` + "\n"},
		{omitZeroMsg{Ptr: ptrZeroer{N: 0}}, `["OmitZero",{"ptr":{"N":0},"kept":0}]` + "\n"},
	} {
		got, err := c.AppendFrame(nil, &tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("encode %+v:\n got %s\nwant %s", tc.msg, got, tc.want)
		}
	}
}
