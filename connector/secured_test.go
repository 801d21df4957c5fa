package connector

import (
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// securedPair starts a connected pair on loopback with a short
// PeerTimeout, and Secured or not.
func securedPair(t *testing.T, secured bool) (BroadcastConfig, *testPeer, *testPeer) {
	t.Helper()
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.PeerTimeout = 300 * time.Millisecond
	cfg.Secured = secured
	a, b := startConnectedPair(t, cfg)
	return cfg, a, b
}

// TestSecuredGoodbyeIsHint: a goodbye beacon of a connected peer drops it
// without Secured (after PeerTimeout at most, as its connection is open)
// and never with Secured, where it is counted as a hint.
func TestSecuredGoodbyeIsHint(t *testing.T) {
	leakcheck.Check(t)
	for _, secured := range []bool{false, true} {
		cfg, a, b := securedPair(t, secured)
		bye := record{kind: kindGoodbye, id: b.ID(), app: []byte(cfg.AppID)}
		a.handleDatagram(appendRecord(nil, &bye), netip.MustParseAddrPort("127.0.0.1:9"))
		if !secured {
			waitFor(t, 10*time.Second, "the goodbye drops b", func() bool { return len(a.rec.disconnectsFrom(b.ID())) == 1 })
		} else {
			deadline := time.Now().Add(4 * cfg.PeerTimeout)
			for time.Now().Before(deadline) { // watching for a drop that must not come
				time.Sleep(cfg.Interval)
			}
			if !a.hasPeer(b.ID()) || len(a.rec.disconnectsFrom(b.ID())) != 0 {
				t.Fatal("secured: a forged goodbye dropped b")
			}
			if n := a.Stats().HintsIgnored; n != 1 {
				t.Fatalf("HintsIgnored %d, want 1", n)
			}
		}
		a.Stop()
		b.Stop()
	}
}

// TestSecuredSilenceKeeps: a peer whose beacons stop is dropped with
// ErrPeerTimeout without Secured, and kept with it (its liveness is the
// application's).
func TestSecuredSilenceKeeps(t *testing.T) {
	leakcheck.Check(t)
	for _, secured := range []bool{false, true} {
		cfg, a, b := securedPair(t, secured)
		b.hooks.muted.Store(true)
		if !secured {
			waitFor(t, 10*time.Second, "b dropped", func() bool { return len(a.rec.disconnectsFrom(b.ID())) == 1 })
			if err := a.rec.disconnectsFrom(b.ID())[0]; !errors.Is(err, ErrPeerTimeout) {
				t.Fatalf("reason %v, want ErrPeerTimeout", err)
			}
		} else {
			deadline := time.Now().Add(4 * cfg.PeerTimeout)
			for time.Now().Before(deadline) { // watching for a drop that must not come
				time.Sleep(cfg.Interval)
			}
			if !a.hasPeer(b.ID()) {
				t.Fatal("secured: beacon silence dropped b")
			}
		}
		a.Stop()
		b.Stop()
	}
}

// TestJoinNameplate: a joiner dials only the peer offering its nameplate,
// accepts nothing while joining, and both sides see the nameplate in
// Peer.Nameplate; after SetJoin(0) it connects to the others too. The
// offered nameplates are listed by Nameplates, and SetNameplate changes
// them.
func TestJoinNameplate(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.Secured = true
	hc := cfg
	hc.Nameplate = 5
	h := startTestPeer(t, hc, "host")
	o := startTestPeer(t, cfg, "other")
	jc := cfg
	jc.Join = 5
	j := startTestPeer(t, jc, "joiner")
	waitFor(t, 10*time.Second, "joiner and host", func() bool { return j.hasPeer(h.ID()) && h.hasPeer(j.ID()) })
	if np := j.peer(t, h.ID()).Nameplate; np != 5 {
		t.Fatalf("joiner sees the host's nameplate %d", np)
	}
	if np := h.peer(t, j.ID()).Nameplate; np != 5 {
		t.Fatalf("host sees the joined nameplate %d", np)
	}
	waitFor(t, 10*time.Second, "host and other", func() bool { return h.hasPeer(o.ID()) })
	if np := h.peer(t, o.ID()).Nameplate; np != 0 && !h.peer(t, o.ID()).Outgoing {
		t.Fatalf("a plain connection has nameplate %d", np)
	}
	for range 10 { // the other peer dials the joiner: refused while it joins
		time.Sleep(cfg.Interval)
		if j.hasPeer(o.ID()) {
			t.Fatal("the joiner took a connection of a peer without its nameplate")
		}
	}
	if got := o.Nameplates(); !slices.Equal(got, []int{5}) {
		t.Fatalf("Nameplates %v, want [5]", got)
	}
	if err := j.SetJoin(0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "joiner and other", func() bool { return j.hasPeer(o.ID()) && o.hasPeer(j.ID()) })
	if err := h.SetNameplate(6); err != nil {
		t.Fatal(err)
	}
	j2c := cfg
	j2c.Join = 6
	j2 := startTestPeer(t, j2c, "joiner2")
	waitFor(t, 10*time.Second, "joiner 2 at the new nameplate", func() bool { return j2.hasPeer(h.ID()) })
	if err := j.SetNameplate(1); err != nil {
		t.Fatal(err) // a joiner no more: it may offer one
	}
	if err := j2.SetNameplate(1); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("SetNameplate while joining: %v", err)
	}
	if err := h.SetJoin(3); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("SetJoin on a host: %v", err)
	}
}

// TestSecuredOneToOnePaired: a Secured OneToOne connector keeps
// discovering after its first connection, until Paired.
func TestSecuredOneToOnePaired(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.Secured, cfg.OneToOne = true, true
	a, b := startConnectedPair(t, cfg)
	a.mu.Lock()
	on := a.discoveryOn
	a.mu.Unlock()
	if !on {
		t.Fatal("discovery ended at the first connection")
	}
	a.Paired()
	a.mu.Lock()
	on = a.discoveryOn
	a.mu.Unlock()
	if on || !a.hasPeer(b.ID()) {
		t.Fatalf("after Paired: discovery %v, connected %v", on, a.hasPeer(b.ID()))
	}
}

// TestHelloRate: hellos from one LAN address are limited to helloBurst,
// then one per helloRefill; loopback is exempt.
func TestHelloRate(t *testing.T) {
	c := newTestPeer(t, loopbackConfig(t, freeport.UDP(t)), "c")
	now := time.Now()
	src := netip.MustParseAddr("10.9.0.1")
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range helloBurst {
		if !c.helloAllowedLocked(src, now) {
			t.Fatalf("hello %d refused", i)
		}
	}
	if c.helloAllowedLocked(src, now) {
		t.Fatal("a hello past the burst allowed")
	}
	if !c.helloAllowedLocked(src, now.Add(helloRefill)) {
		t.Fatal("no hello after a refill")
	}
	for range 100 {
		if !c.helloAllowedLocked(netip.MustParseAddr("127.0.0.1"), now) {
			t.Fatal("loopback limited")
		}
	}
}

func TestSecuredConfigErrors(t *testing.T) {
	for _, cfg := range []BroadcastConfig{
		{Nameplate: 1, Join: 1}, {Nameplate: -1}, {Join: MaxNameplate + 1},
		{Compat: true, Secured: true}, {Compat: true, Nameplate: 1},
	} {
		if _, err := NewBroadcastConnector(&cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

// nameplateRec records OnNameplate calls.
type nameplateRec struct {
	mu  sync.Mutex
	got []Peer // ID and Nameplate
}

func (r *nameplateRec) on(id PeerID, n int) {
	r.mu.Lock()
	r.got = append(r.got, Peer{ID: id, Nameplate: n})
	r.mu.Unlock()
}

func (r *nameplateRec) calls() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, p := range r.got {
		out = append(out, p.Nameplate)
	}
	return out
}

// TestOnNameplate: OnNameplate reports a peer's nameplate when its beacon
// first offers it and at each change (not at every beacon, not for 0);
// NameplatePeers says who offers a nameplate now.
func TestOnNameplate(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.Secured = true
	var rec nameplateRec
	ac := cfg
	ac.OnNameplate = rec.on
	a := startTestPeer(t, ac, "a")
	bc := cfg
	bc.Nameplate = 5
	b := startTestPeer(t, bc, "b")
	offers := func(n int) bool { return slices.Equal(a.NameplatePeers(n), []PeerID{b.ID()}) }
	waitFor(t, 10*time.Second, "b offers 5", func() bool { return offers(5) && len(rec.calls()) == 1 })
	if err := b.SetNameplate(6); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "b offers 6", func() bool { return offers(6) && len(rec.calls()) == 2 })
	if got := a.NameplatePeers(5); len(got) != 0 {
		t.Fatalf("NameplatePeers(5) %v after the move", got)
	}
	if err := b.SetNameplate(0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "b offers none", func() bool { return len(a.NameplatePeers(6)) == 0 })
	if err := b.SetNameplate(6); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "b offers 6 again", func() bool { return offers(6) && len(rec.calls()) == 3 })
	if got := rec.calls(); !slices.Equal(got, []int{5, 6, 6}) {
		t.Fatalf("OnNameplate calls %v, want [5 6 6]", got)
	}
	rec.mu.Lock()
	for _, p := range rec.got {
		if p.ID != b.ID() {
			t.Errorf("OnNameplate for %v, want b %v", p.ID, b.ID())
		}
	}
	rec.mu.Unlock()
	for _, n := range []int{0, -1, MaxNameplate + 1} {
		if got := a.NameplatePeers(n); got != nil {
			t.Fatalf("NameplatePeers(%d) %v", n, got)
		}
	}
}
