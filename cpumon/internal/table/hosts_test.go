package table

import (
	"reflect"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/wire"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type rowView struct {
	Key, Host string
	Age       time.Duration
	Gone      bool
}

func view(rows []Row) []rowView {
	out := make([]rowView, len(rows))
	for i, r := range rows {
		out[i] = rowView{r.Key, r.Stats.Host, r.Age, r.Gone}
	}
	return out
}

func TestHostsSortsAndAges(t *testing.T) {
	h := NewHosts(nil)
	h.Update("p3", &wire.MsgStats{Host: "beta"}, t0)
	h.Update("p1", &wire.MsgStats{Host: "Alpha"}, t0.Add(time.Second))
	h.Update("p2", &wire.MsgStats{Host: "alpha"}, t0.Add(2*time.Second)) // same name, other process
	h.Update("p4", nil, t0)                                              // ignored
	got := view(h.Rows(t0.Add(3 * time.Second)))
	want := []rowView{
		{"p1", "Alpha", 2 * time.Second, false},
		{"p2", "alpha", time.Second, false},
		{"p3", "beta", 3 * time.Second, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %+v\nwant %+v", got, want)
	}
	if h.Len() != 3 {
		t.Fatalf("Len %d", h.Len())
	}
}

func TestHostsStaleThenDropped(t *testing.T) {
	h := NewHosts(&Config{StaleAfter: 10 * time.Second, Linger: 30 * time.Second})
	h.Update("k", &wire.MsgStats{Host: "quiet"}, t0)

	if r := h.Rows(t0.Add(10 * time.Second)); r[0].Gone {
		t.Fatal("gone at exactly StaleAfter")
	}
	if r := h.Rows(t0.Add(10*time.Second + 1)); !r[0].Gone {
		t.Fatal("not gone after StaleAfter")
	}
	if d := h.Expire(t0.Add(40 * time.Second)); d != nil || h.Len() != 1 {
		t.Fatalf("dropped before Linger: %v", d)
	}
	if d := h.Expire(t0.Add(40*time.Second + 2)); !reflect.DeepEqual(d, []string{"k"}) || h.Len() != 0 {
		t.Fatalf("Expire = %v, Len %d", d, h.Len())
	}
}

func TestHostsStaleUsesAnnouncedInterval(t *testing.T) {
	h := NewHosts(&Config{StaleAfter: 10 * time.Second})
	h.Update("slow", &wire.MsgStats{Host: "slow", Interval: wire.F(20)}, t0)
	h.Update("fast", &wire.MsgStats{Host: "fast", Interval: wire.F(1)}, t0)
	got := view(h.Rows(t0.Add(30 * time.Second)))
	want := []rowView{{"fast", "fast", 30 * time.Second, true}, {"slow", "slow", 30 * time.Second, false}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %+v", got)
	}
	if r := h.Rows(t0.Add(60*time.Second + 1)); !r[1].Gone {
		t.Fatal("slow host not gone after three of its intervals")
	}
}

func TestHostsDisconnected(t *testing.T) {
	h := NewHosts(&Config{Linger: 5 * time.Second})
	h.Update("k", &wire.MsgStats{Host: "h"}, t0)
	h.Disconnected("k", t0.Add(time.Second))
	h.Disconnected("k", t0.Add(4*time.Second)) // the first mark counts
	h.Disconnected("unknown", t0)
	if r := h.Rows(t0.Add(time.Second)); !r[0].Gone || r[0].Age != time.Second {
		t.Fatalf("row %+v", r[0])
	}
	if d := h.Expire(t0.Add(6 * time.Second)); d != nil {
		t.Fatalf("dropped early: %v", d)
	}
	// A peer that comes back is live again.
	h.Update("k", &wire.MsgStats{Host: "h"}, t0.Add(6*time.Second))
	if r := h.Rows(t0.Add(7 * time.Second)); r[0].Gone {
		t.Fatal("still gone after an update")
	}
	h.Disconnected("k", t0.Add(7*time.Second))
	if d := h.Expire(t0.Add(12*time.Second + 1)); !reflect.DeepEqual(d, []string{"k"}) {
		t.Fatalf("Expire = %v", d)
	}
}

func TestHostsRemove(t *testing.T) {
	h := NewHosts(nil)
	h.Update("a", &wire.MsgStats{Host: "a"}, t0)
	h.Remove("a")
	h.Remove("b")
	if h.Len() != 0 || len(h.Rows(t0)) != 0 {
		t.Fatal("not removed")
	}
}

func TestHostsKeepsOnlyLatestPerKey(t *testing.T) {
	h := NewHosts(nil)
	// A Python peer sending stats several times a second.
	for i := range 1000 {
		h.Update("py", &wire.MsgStats{Host: "py", CPUPercent: wire.F(float64(i % 100))}, t0.Add(time.Duration(i)*250*time.Millisecond))
	}
	rows := h.Rows(t0.Add(250 * time.Second))
	if len(rows) != 1 || rows[0].Stats.CPUPercent != wire.F(99) || rows[0].Age != 250*time.Millisecond {
		t.Fatalf("rows %+v", rows)
	}
}
