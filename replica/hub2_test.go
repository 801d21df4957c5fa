package replica

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// An observer that freezes (a crash, as the Room sees it: nothing heard)
// stops observing with the Room's ErrPeerTimeout.
func TestStoppedOnTimeout(t *testing.T) {
	hr := newRoom(t, room.Config{Listen: "127.0.0.1:0", Interval: 20 * time.Millisecond, PeerTimeout: 300 * time.Millisecond})
	gr := newRoom(t, room.Config{Dial: []string{hr.Addr().String()}, Interval: 20 * time.Millisecond, PeerTimeout: 10 * time.Second})
	host, guest := &end{r: hr, h: New(hr, nil)}, &end{r: gr, h: New(gr, nil)}
	until(t, "the peers to join", func() bool { return len(hr.Peers()) == 1 && len(gr.Peers()) == 1 }, host, guest)
	if _, err := Publish(host.h, "s", score{}); err != nil {
		t.Fatal(err)
	}
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	// The guest's loop stops: only the host runs.
	until(t, "stopped", func() bool { _, ok := eventOf[Stopped](host); return ok }, host)
	if st, _ := eventOf[Stopped](host); !errors.Is(st.Reason, room.ErrPeerTimeout) {
		t.Fatalf("stopped: %v", st.Reason)
	}
}

// A late observer gets the state of the last delta; an observer that asks
// before the value is published gets it once it is.
func TestLateJoinerAndPending(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	early, _ := Observe[score](guest.h, "later")
	pub, _ := Publish(host.h, "s", score{})
	for i := range 50 {
		pub.Update(func(s *score) { s.Points, s.Items = i, append(s.Items, fmt.Sprint(i)) })
		_ = host.h.Flush()
	}
	pub.Update(func(s *score) { s.Points = -1 }) // not flushed yet: the next frame's
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	until(t, "the last delta", func() bool { return view.Seq() == pub.Seq() }, host, guest)
	if v, _ := view.Value(); v.Points != -1 || len(v.Items) != 50 || view.Seq() != 51 {
		t.Fatalf("late joiner %+v at %d", v, view.Seq())
	}

	if early.Ready() {
		t.Fatal("ready before it is published")
	}
	if _, err := Publish(host.h, "later", score{Name: "late"}); err != nil {
		t.Fatal(err)
	}
	until(t, "the pending snapshot", early.Ready, host, guest)
	if v, _ := early.Value(); v.Name != "late" {
		t.Fatalf("pending snapshot %+v", v)
	}

	// A third peer that joins after it called Observe.
	third := &end{r: newRoom(t, room.Config{Dial: []string{host.r.Addr().String()}})}
	third.h = New(third.r, nil)
	v3, _ := Observe[score](third.h, "s")
	until(t, "the third snapshot", v3.Ready, host, guest, third)
	if v, _ := v3.Value(); v.Points != -1 {
		t.Fatalf("third %+v", v)
	}
}

// Changes within one interval leave as one delta (a fake clock: no
// timing is asserted).
func TestCoalescing(t *testing.T) {
	now := time.Unix(0, 0)
	clock := func() time.Time { return now }
	host, guest := pair(t, &Config{Now: clock})
	pub, _ := Publish(host.h, "s", score{})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	now = now.Add(time.Second)
	pub.Update(func(s *score) { s.Points = 1 })
	_ = host.h.Flush()
	if pub.Seq() != 1 {
		t.Fatalf("seq %d after the first change", pub.Seq())
	}
	now = now.Add(10 * time.Millisecond)
	pub.Update(func(s *score) { s.X = 1 })
	_ = host.h.Flush()
	now = now.Add(10 * time.Millisecond)
	pub.Update(func(s *score) { s.Y = 1 })
	_ = host.h.Flush()
	if pub.Seq() != 1 {
		t.Fatalf("seq %d within the interval", pub.Seq())
	}
	now = now.Add(DefaultInterval)
	_ = host.h.Flush()
	_ = host.h.Flush()
	if pub.Seq() != 2 {
		t.Fatalf("seq %d after the interval", pub.Seq())
	}
	until(t, "the coalesced delta", func() bool { return view.Seq() == 2 }, host, guest)
	if v, _ := view.Value(); v.X != 1 || v.Y != 1 || v.Points != 1 {
		t.Fatalf("view %+v", v)
	}
}

// The byte codec carries copies and deltas that fit its 253-byte frames.
func TestByteCodec(t *testing.T) {
	mk := func(cfg room.Config) *end {
		c := message.NewByteCodec(nil)
		Register(c)
		cfg.AppID, cfg.Codec = "replica-byte", c
		r, err := room.New(context.Background(), &cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return &end{r: r, h: New(r, &Config{Interval: -1})}
	}
	host := mk(room.Config{Listen: "127.0.0.1:0"})
	guest := mk(room.Config{Dial: []string{host.r.Addr().String()}})
	pub, _ := Publish(host.h, "s", score{Name: "b"})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	pub.Update(func(s *score) { s.Points = 12 })
	_ = host.h.Flush()
	until(t, "the delta", func() bool { v, _ := view.Value(); return v.Points == 12 }, host, guest)
}

// FuzzFrame: any frame from a peer, handed to a hub with a view and a
// publication, never panics, and the view holds either its last good value
// or a value decoded whole.
func FuzzFrame(f *testing.F) {
	s := mustSchema[score](f)
	a := score{Name: "a", Items: []string{"x"}}
	b := a
	b.Points, b.Alive = 3, true
	fs := newFields(s)
	newShadow(s, ptrOf(&a)).diff(ptrOf(&b), &fs)
	f.Add(appendDelta(nil, s, 1, 1, fs, ptrOf(&b)))
	f.Add(newShadow(s, ptrOf(&b)).appendSnapshot(nil, 1, 4, "v"))
	f.Add(appendCopy(nil, s, "v", ptrOf(&b)))
	f.Add(appendNamed(nil, kindObserve, "p"))
	f.Add(appendNamed(nil, kindStop, "p"))
	f.Add([]byte{kindDelta, 1, 2, 0, 1, 0x02, 8})
	d := appendDelta(nil, s, 1, 1, fs, ptrOf(&b))
	snap := newShadow(s, ptrOf(&b)).appendSnapshot(nil, 1, 4, "v")
	batch := append([]byte{kindBatch}, byte(len(d)))
	batch = append(append(batch, d...), byte(len(snap)))
	f.Add(append(batch, snap...))
	f.Add([]byte{kindBatch, 2, kindBatch, 0, 3, kindShort | 1, 1, 0x05})
	f.Add([]byte{kindShort | 1, 2, 0x05, 8})
	f.Fuzz(func(t *testing.T, p []byte) {
		h := New(nil, nil)
		h.sendTo = func(room.PeerID, message.Message) error { return nil }
		v := &View[score]{h: h, name: "v", s: s, changed: newFields(s), spare: newFields(s), tmp: newFields(s)}
		h.views["v"] = v
		v.snapshot(7, snapHeader{handle: 1, hash: s.hash}, &reader{p: newShadow(s, ptrOf(&a)).appendSnapshot(nil, 1, 0, "v")[1+len(appendHeaderSnap(nil, s, 1, 0, "v")):]})
		if !v.Ready() {
			t.Fatal("seed snapshot refused")
		}
		pub, _ := Publish(h, "p", score{})
		_ = Allow[score](h, "v")
		h.received(7, p)
		h.received(7, p)
		_ = pub
		got, _ := v.Value()
		again := newShadow(s, ptrOf(&got)).appendSnapshot(nil, 1, 0, "v")
		var back score
		r := reader{p: again[1:]}
		hd := r.readSnapHeader()
		r.readState(s, hd.hash, ptrOf(&back))
		if r.err != nil || fmt.Sprint(back) != fmt.Sprint(got) {
			t.Fatalf("view holds a value that does not encode back: %v", r.err)
		}
	})
}

// A snapshot is the state of the last delta sent, not the owner's
// unsent changes: a change reverted before the next delta never reaches
// anyone.
func TestSnapshotIsLastSent(t *testing.T) {
	now := time.Unix(0, 0)
	host, guest := pair(t, &Config{Now: func() time.Time { return now }})
	pub, _ := Publish(host.h, "s", score{})
	now = now.Add(time.Second)
	pub.Update(func(s *score) { s.Points = 1 })
	_ = host.h.Flush()                          // delta 1, to nobody
	pub.Update(func(s *score) { s.Points = 2 }) // not due
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	pub.Update(func(s *score) { s.Points = 1 }) // reverted
	now = now.Add(time.Second)
	_ = host.h.Flush()
	if pub.Seq() != 1 {
		t.Fatalf("seq %d: a delta for a reverted change", pub.Seq())
	}
	if v, _ := view.Value(); v.Points != 1 || view.Seq() != 1 {
		t.Fatalf("view %+v at %d, want Points 1 at 1", v, view.Seq())
	}
}

// Observers of a value closed and published again get a new snapshot.
func TestRepublish(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	pub, _ := Publish(host.h, "s", score{Points: 1})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	pub.Update(func(s *score) { s.Points = 2 })
	_ = host.h.Flush()
	until(t, "delta 1", func() bool { return view.Seq() == 1 }, host, guest)
	pub.Close()
	if _, err := Publish(host.h, "s", score{Points: 9}); err != nil {
		t.Fatal(err)
	}
	until(t, "the new snapshot", func() bool { v, _ := view.Value(); return v.Points == 9 }, host, guest)
	if view.Seq() != 0 {
		t.Fatalf("seq %d after the new snapshot", view.Seq())
	}
}

func TestRegisterJSON(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Register accepted the JSON codec")
		}
	}()
	Register(message.NewJSONCodec(nil))
}

// A resyncing view whose request was lost asks again.
func TestResyncAsksAgain(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	pub, _ := Publish(host.h, "s", score{})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	var asked int
	send := guest.h.sendTo
	guest.h.sendTo = func(p room.PeerID, m message.Message) error {
		if f := m.(*frame); f.b[0] == kindObserve {
			asked++
			if asked == 1 {
				return nil // lost
			}
		}
		return send(p, m)
	}
	g := guest.r.ID()
	if err := host.r.Send(g, &frame{b: []byte{kindDelta, byte(pub.handle), 5, 0, 1, 0x02, 8}}); err != nil {
		t.Fatal(err)
	}
	until(t, "the resync", func() bool { return view.resyncing }, host, guest)
	for range reask + 1 {
		pub.Update(func(s *score) { s.Points++ })
		_ = host.h.Flush()
	}
	until(t, "the second snapshot", func() bool { return !view.resyncing && view.Seq() == pub.Seq() }, host, guest)
	if asked != 2 {
		t.Fatalf("asked %d times", asked)
	}
}
