package replica

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/room"
)

// end is one Room with its Hub, and the hub's events.
type end struct {
	r      *room.Room
	h      *Hub
	events []Event
}

func newRoom(t *testing.T, cfg room.Config) *room.Room {
	t.Helper()
	c := msgpack.NewCodec(nil)
	Register(c)
	cfg.AppID = "replica-test"
	cfg.Codec = c
	r, err := room.New(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// pair makes a host (listening on loopback) and a guest that dialed it,
// each with a Hub, and waits until they see each other.
func pair(t *testing.T, cfg *Config) (host, guest *end) {
	t.Helper()
	hr := newRoom(t, room.Config{Listen: "127.0.0.1:0"})
	gr := newRoom(t, room.Config{Dial: []string{hr.Addr().String()}})
	host, guest = &end{r: hr, h: New(hr, cfg)}, &end{r: gr, h: New(gr, cfg)}
	until(t, "the peers to join", func() bool { return len(hr.Peers()) == 1 && len(gr.Peers()) == 1 }, host, guest)
	return host, guest
}

// frame runs one game frame of e: Xfer, Get/Handle until nil, Flush, Xfer.
func (e *end) frame() {
	_ = e.r.Xfer()
	for ev := e.r.Get(); ev != nil; ev = e.r.Get() {
		e.h.Handle(ev)
	}
	for ev := e.h.Get(); ev != nil; ev = e.h.Get() {
		e.events = append(e.events, ev)
	}
	_ = e.h.Flush()
	_ = e.r.Xfer()
}

// until runs frames of es until cond holds, failing after a generous
// deadline.
func until(t *testing.T, what string, cond func() bool, es ...*end) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		for _, e := range es {
			e.frame()
		}
		time.Sleep(100 * time.Microsecond) // a frame, not a synchronisation
	}
}

// randomUpdate changes one field of s, which rng picks among the first n
// of: Points, X and Y, Alive, Items (i appended), Name.
func randomUpdate(rng *rand.Rand, s *score, i, n int) {
	switch rng.IntN(n) {
	case 0:
		s.Points = rng.IntN(1000)
	case 1:
		s.X, s.Y = rng.Float32()*100, float32(rng.IntN(50))
	case 2:
		s.Alive = !s.Alive
	case 3:
		s.Items = append(s.Items, fmt.Sprint(i))
	case 4:
		s.Name = fmt.Sprint("p", rng.IntN(10))
	}
}

func eventOf[E Event](e *end) (E, bool) {
	for _, ev := range e.events {
		if x, ok := ev.(E); ok {
			return x, true
		}
	}
	var zero E
	return zero, false
}

type account struct {
	User     string
	Level    int
	Password string `replica:"-"`
}

type shaped struct{ User, Password string }

func (s shaped) StateToCopy() any { return account{User: s.User} }

type badge struct{ Label string }

func TestCopy(t *testing.T) {
	host, guest := pair(t, nil)
	if err := Allow[account](guest.h, "account"); err != nil {
		t.Fatal(err)
	}
	if err := AllowAs(guest.h, "badge", func(b *badge, a account) { b.Label = fmt.Sprint(a.User, "/", a.Level) }); err != nil {
		t.Fatal(err)
	}
	g := guest.r.ID()
	for _, c := range []struct {
		name string
		v    any
	}{{"account", &account{User: "ann", Level: 3, Password: "pw"}}, {"badge", account{User: "bob", Level: 9}},
		{"nope", account{User: "eve"}}, {"account", shaped{User: "cy", Password: "pw"}}} {
		if err := SendCopy(host.h, g, c.name, c.v); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "4 copies", func() bool { return len(guest.events) == 4 }, host, guest)
	want := []string{"account &{ann 3 }", "badge &{bob/9}", "refused nope", "account &{cy 0 }"}
	for i, ev := range guest.events {
		var got string
		switch ev := ev.(type) {
		case Copied:
			got = fmt.Sprint(ev.Name, " ", ev.Value)
		case Refused:
			if !errors.Is(ev.Err, ErrUnregistered) {
				t.Errorf("refused with %v", ev.Err)
			}
			got = "refused " + ev.Name
		}
		if got != want[i] {
			t.Errorf("event %d: %s, want %s", i, got, want[i])
		}
	}
	// Another schema under an allowed name: refused, nothing built.
	if err := SendCopy(host.h, g, "account", badge{Label: "x"}); err != nil {
		t.Fatal(err)
	}
	guest.events = nil
	until(t, "the refusal", func() bool { return len(guest.events) == 1 }, host, guest)
	if r, ok := guest.events[0].(Refused); !ok || !errors.Is(r.Err, ErrWrongType) {
		t.Fatalf("got %#v", guest.events[0])
	}
}

type score struct {
	Name   string
	Points int
	X, Y   float32
	Alive  bool
	Items  []string
	Secret string `replica:"-"`
}

func TestCacheRandomUpdates(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	pub, err := Publish(host.h, "score", score{Name: "ann", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	pub.Update(func(s *score) { s.Points = 5 }) // before anyone observes
	_ = host.h.Flush()
	view, err := Observe[score](guest.h, "score")
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the snapshot", view.Ready, host, guest)
	if v, f := view.Value(); v.Points != 5 || v.Name != "ann" || v.Secret != "" || !f.Has("Name") {
		t.Fatalf("snapshot %+v %v", v, f.Paths())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		pub.Update(func(s *score) { randomUpdate(rng, s, i, 5) })
		_ = host.h.Flush()
		until(t, "the delta", func() bool { return view.Seq() == pub.Seq() }, host, guest)
		got, _ := view.Value()
		want := pub.Value()
		want.Secret = ""
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("update %d: view %+v, owner %+v", i, got, want)
		}
	}
	// Nothing changed: no delta.
	seq := pub.Seq()
	pub.Update(func(s *score) {})
	_ = host.h.Flush()
	if pub.Seq() != seq {
		t.Fatal("a delta for no change")
	}
}

func TestCacheChangedFields(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	pub, _ := Publish(host.h, "s", score{})
	view, _ := Observe[score](guest.h, "s")
	var calls int
	view.OnChange(func(Fields) { calls++ })
	until(t, "the snapshot", view.Ready, host, guest)
	view.Value()
	pub.Update(func(s *score) { s.Points = 1 })
	_ = host.h.Flush()
	until(t, "delta 1", func() bool { return view.Seq() == 1 }, host, guest)
	pub.Update(func(s *score) { s.X = 2 })
	_ = host.h.Flush()
	until(t, "delta 2", func() bool { return view.Seq() == 2 }, host, guest)
	if _, f := view.Value(); fmt.Sprint(f.Paths()) != "[Points X]" {
		t.Fatalf("changed %v", f.Paths())
	}
	if _, f := view.Value(); f.Len() != 0 {
		t.Fatalf("changed again %v", f.Paths())
	}
	if calls != 3 {
		t.Fatalf("%d callbacks, want 3", calls)
	}
}

func TestCacheGapAndMalformed(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	pub, _ := Publish(host.h, "s", score{Points: 1})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	g := guest.r.ID()
	s := mustSchema[score](t)
	bad := []struct {
		b    []byte
		want error
	}{
		{[]byte{kindDelta, byte(pub.handle), 5, 0, 1, 0x02, 8}, ErrGap},
		{[]byte{kindDelta, byte(pub.handle), 1, 0, 1, 0x80}, ErrMaskRange},
		{[]byte{kindDelta, byte(pub.handle), 1, 0, 1, 0x02, 0xff}, ErrMalformed},
	}
	for _, c := range bad {
		guest.events = nil
		if err := host.r.Send(g, &frame{b: c.b}); err != nil {
			t.Fatal(err)
		}
		until(t, "the resync", func() bool {
			_, ok := eventOf[Resync](guest)
			return ok && !view.resyncing
		}, host, guest)
		if r, _ := eventOf[Resync](guest); !errors.Is(r.Err, c.want) {
			t.Fatalf("resync for %v, want %v", r.Err, c.want)
		}
		if v, _ := view.Value(); v.Points != 1 || view.Seq() != 0 {
			t.Fatalf("value after a bad delta: %+v seq %d", v, view.Seq())
		}
	}
	_ = s
	// A delta at or before the snapshot is skipped.
	if err := host.r.Send(g, &frame{b: []byte{kindDelta, byte(pub.handle), 0, 0, 1, 0x02, 8}}); err != nil {
		t.Fatal(err)
	}
	until(t, "the skip", func() bool { return view.Skipped() == 1 }, host, guest)
	pub.Update(func(s *score) { s.Points = 7 })
	_ = host.h.Flush()
	until(t, "the next delta", func() bool { v, _ := view.Value(); return v.Points == 7 }, host, guest)
}

func TestStoppedObserving(t *testing.T) {
	host, guest := pair(t, nil)
	pub, _ := Publish(host.h, "s", score{})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	if len(pub.Observers()) != 1 {
		t.Fatal("no observer")
	}
	view.Close()
	until(t, "stopped", func() bool { _, ok := eventOf[Stopped](host); return ok }, host, guest)
	if st, _ := eventOf[Stopped](host); !errors.Is(st.Reason, ErrStopped) || len(pub.Observers()) != 0 {
		t.Fatalf("stopped: %v", st.Reason)
	}

	host.events = nil
	view, _ = Observe[score](guest.h, "s")
	until(t, "the snapshot again", view.Ready, host, guest)
	guest.r.Close()
	until(t, "stopped by leaving", func() bool { _, ok := eventOf[Stopped](host); return ok }, host)
	if st, _ := eventOf[Stopped](host); !errors.Is(st.Reason, room.ErrPeerLeft) {
		t.Fatalf("stopped: %v", st.Reason)
	}
}
