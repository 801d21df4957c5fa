package connector

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestPeerDiscWindow(t *testing.T) {
	leakcheck.Check(t)
	// hear feeds beacons in the given slots as notePathLocked does.
	hear := func(slots ...int64) *peerDisc {
		d := &peerDisc{}
		for _, s := range slots {
			d.heard(s)
		}
		return d
	}
	var every, odd []int64
	for s := int64(100); s < 140; s++ {
		every = append(every, s)
		if s%2 == 1 {
			odd = append(odd, s)
		}
	}
	for _, tc := range []struct {
		name            string
		d               *peerDisc
		now             int64
		heard, expected int
	}{
		{"none yet", &peerDisc{}, 200, 0, 0},
		{"first slot", hear(100), 100, 0, 0},
		{"two slots, heard in the current one", hear(100, 101, 102), 102, 2, 2},
		{"every slot", hear(every...), 140, 16, 16},
		{"every slot, current heard", hear(every...), 139, 16, 16},
		{"every other slot", hear(odd...), 140, 8, 16},
		{"silent for 4 slots", hear(every...), 144, 12, 16},
		{"silent for good", hear(every...), 400, 0, 16},
		{"a gap of 70 slots", hear(100, 101, 171), 173, 1, 16},
		{"young peer", hear(100, 101, 103), 104, 3, 4},
	} {
		h, e := tc.d.window(tc.now)
		if h != tc.heard || e != tc.expected {
			t.Errorf("%s: %d/%d, want %d/%d", tc.name, h, e, tc.heard, tc.expected)
		}
	}
}

func TestPathString(t *testing.T) {
	leakcheck.Check(t)
	for p, want := range map[Path]string{0: "", PathBroadcast: "broadcast", PathDiscoverer: "mdns", PathBroadcast | PathDiscoverer: "broadcast+mdns", PathRelay: "relay"} {
		if got := p.String(); got != want {
			t.Errorf("%d: %q, want %q", p, got, want)
		}
	}
	if got := targetOf(netip.MustParsePrefix("10.1.2.3/23")); got != netip.MustParseAddr("10.1.3.255") {
		t.Errorf("targetOf: %v", got)
	}
}

func TestPeerDiscoveryLoopback(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.PeerTimeout = time.Minute // b stays while muted
	a := startTestPeer(t, cfg, "a")
	b := startTestPeer(t, cfg, "b")
	if _, ok := a.PeerDiscovery(123); ok {
		t.Error("an unknown peer is found")
	}
	var pd PeerDiscovery
	waitFor(t, 10*time.Second, "a full window of b's beacons", func() bool {
		var ok bool
		pd, ok = a.PeerDiscovery(b.ID())
		return ok && pd.Expected == qualitySlots
	})
	if pd.First != PathBroadcast || pd.Paths != PathBroadcast || pd.Interface != "lo" || pd.Beacons < qualitySlots || pd.LastHeard.IsZero() {
		t.Errorf("%+v", pd)
	}
	// Slack for a loaded machine: beacons are sent at 1.25 per slot.
	if pd.Quality < 0.5 || pd.Quality > 1 {
		t.Errorf("quality %v with no loss", pd.Quality)
	}
	if n := testing.AllocsPerRun(100, func() { a.PeerDiscovery(b.ID()) }); n != 0 {
		t.Errorf("PeerDiscovery allocates %v times", n)
	}
	b.hooks.muted.Store(true)
	waitFor(t, 20*time.Second, "b's quality down to 0 while muted", func() bool {
		pd, _ = a.PeerDiscovery(b.ID())
		return pd.Quality == 0 && pd.Expected == qualitySlots
	})
}

func TestPeerDiscoveryDiscoverer(t *testing.T) {
	leakcheck.Check(t)
	d := &fakeDiscovery{}
	cfg := BroadcastConfig{AppID: "quality/" + t.Name(), Loopback: true, Interval: 20 * time.Millisecond,
		Discovery: d, DiscoveryOnly: true, UDPPort: 1}
	a, b := startTwo(t, t.Context(), cfg)
	var pd PeerDiscovery
	waitFor(t, 10*time.Second, "b sighted", func() bool {
		var ok bool
		pd, ok = a.PeerDiscovery(b.ID())
		return ok
	})
	if pd.First != PathDiscoverer || pd.Paths != PathDiscoverer || pd.Interface != "" || pd.Beacons != 0 || pd.Expected != 0 || pd.Quality != 1 {
		t.Errorf("%+v", pd)
	}
}

// BenchmarkPeerDiscovery reads one peer's discovery figures; its floor is
// BenchmarkPeerDiscoveryFloor, the lock and map lookup alone.
func BenchmarkPeerDiscovery(b *testing.B) {
	a, p := heardPair(b)
	b.ReportAllocs()
	for b.Loop() {
		a.PeerDiscovery(p.ID())
	}
}

// heardPair starts peers a and p on loopback and waits until a has heard p.
func heardPair(b *testing.B) (a, p *testPeer) {
	b.Helper()
	cfg := loopbackConfig(b, freeport.UDP(b))
	a = startTestPeer(b, cfg, "a")
	p = startTestPeer(b, cfg, "p")
	waitFor(b, 10*time.Second, "p heard", func() bool { _, ok := a.PeerDiscovery(p.ID()); return ok })
	return a, p
}

func BenchmarkPeerDiscoveryFloor(b *testing.B) {
	a, p := heardPair(b)
	b.ReportAllocs()
	for b.Loop() {
		a.mu.Lock()
		_ = a.peers[peerKey{id: p.ID()}]
		a.mu.Unlock()
	}
}

// BenchmarkProgress reads the discovery status (two peers in the table).
func BenchmarkProgress(b *testing.B) {
	cfg := loopbackConfig(b, freeport.UDP(b))
	a := startTestPeer(b, cfg, "a")
	startTestPeer(b, cfg, "p")
	a.Progress()
	b.ReportAllocs()
	for b.Loop() {
		a.Progress()
	}
}
