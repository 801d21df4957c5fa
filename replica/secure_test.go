package replica

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
)

// rejectedWith tells whether evs hold a Rejected whose Reason wraps
// target.
func rejectedWith(evs []room.Event, target error) bool {
	for _, ev := range evs {
		if rj, ok := ev.(room.Rejected); ok && errors.Is(rj.Reason, target) {
			return true
		}
	}
	return false
}

// A Cacheable in a password room (Config.Password, loopback Listen and
// Dial): the observer with the password gets the snapshot and every
// delta, its value the owner's after each flush; a room with another
// password is refused and its view of the same name stays empty, and the
// owner never counts it as an observer.
func TestCachePasswordRoom(t *testing.T) {
	leakcheck.Check(t)
	host := &end{r: newRoom(t, room.Config{Listen: "127.0.0.1:0", Password: "swordfish"})}
	addr := host.r.Addr().String()
	guest := &end{r: newRoom(t, room.Config{Dial: []string{addr}, Password: "swordfish"})}
	wrong := &end{r: newRoom(t, room.Config{Dial: []string{addr}, Password: "tuna"})}
	for _, e := range []*end{host, guest, wrong} {
		e.h = New(e.r, &Config{Interval: -1})
	}
	// The Hub takes what it handles; the room events the test looks at
	// are collected beside it.
	var hostEvs, wrongEvs []room.Event
	frame := func(e *end, evs *[]room.Event) {
		_ = e.r.Xfer()
		for ev := e.r.Get(); ev != nil; ev = e.r.Get() {
			if evs != nil {
				*evs = append(*evs, ev)
			}
			e.h.Handle(ev)
		}
		for ev := e.h.Get(); ev != nil; ev = e.h.Get() {
			e.events = append(e.events, ev)
		}
		_ = e.h.Flush()
		_ = e.r.Xfer()
	}
	run := func(what string, cond func() bool) {
		t.Helper()
		until(t, what, func() bool {
			frame(host, &hostEvs)
			frame(wrong, &wrongEvs)
			return cond()
		}, guest)
	}

	pub, err := Publish(host.h, "score", score{Name: "ann", Points: 3, Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	view, err := Observe[score](guest.h, "score")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := Observe[score](wrong.h, "score")
	if err != nil {
		t.Fatal(err)
	}
	run("the snapshot, and the wrong password refused on both sides", func() bool {
		return view.Ready() && rejectedWith(hostEvs, room.ErrWrongCode) && rejectedWith(wrongEvs, room.ErrWrongCode)
	})
	if v, _ := view.Value(); v.Name != "ann" || v.Points != 3 || v.Secret != "" {
		t.Fatalf("snapshot %+v", v)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		pub.Update(func(s *score) { randomUpdate(rng, s, i, 4) })
		_ = host.h.Flush()
		run("the delta", func() bool { return view.Seq() == pub.Seq() })
		got, _ := view.Value()
		want := pub.Value()
		want.Secret = ""
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("update %d: view %+v, owner %+v", i, got, want)
		}
	}
	if bad.Ready() || bad.Seq() != 0 || len(wrong.r.Peers()) != 0 {
		t.Fatalf("the wrong password observes: ready %v, seq %d, peers %v", bad.Ready(), bad.Seq(), wrong.r.Peers())
	}
	if v, _ := bad.Value(); v.Name != "" || v.Points != 0 {
		t.Fatalf("the wrong password has a value: %+v", v)
	}
	if obs := pub.Observers(); len(obs) != 1 || !slices.Contains(obs, guest.r.ID()) {
		t.Fatalf("observers %v, want only %v", obs, guest.r.ID())
	}
	for _, ev := range hostEvs {
		if j, ok := ev.(room.Joined); ok && j.Peer == wrong.r.ID() {
			t.Fatal("the wrong password joined the host")
		}
	}
}
