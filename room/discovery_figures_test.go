package room

import (
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestDiscoveryFigures: a peer found by broadcast on loopback reports the
// broadcast path, the interface and its beacons, read without allocating;
// an unknown peer gives false and leaves the figures alone.
func TestDiscoveryFigures(t *testing.T) {
	leakcheck.Check(t)
	ms := lan(t, 2)
	a, b := ms[0], ms[1]
	var d PeerDiscovery
	until(t, "a beacon counted", func() bool {
		return a.Discovery(b.ID(), &d) && d.Beacons > 0
	}, a, b)
	if d.Via != ViaDiscovery || d.Transport != nil || d.First != connector.PathBroadcast ||
		d.Paths&connector.PathBroadcast == 0 || d.Paths&connector.PathRelay != 0 || d.Interface != "lo" || d.LastHeard.IsZero() {
		t.Errorf("Discovery = %+v, want broadcast on lo", d)
	}
	if d.Quality < 0 || d.Quality > 1 || d.Heard > d.Expected {
		t.Errorf("quality %v, heard %d of %d", d.Quality, d.Heard, d.Expected)
	}
	if n := testing.AllocsPerRun(100, func() { a.Discovery(b.ID(), &d) }); n != 0 {
		t.Errorf("Discovery allocates %v times per call", n)
	}
	mark := PeerDiscovery{Via: Via(99)}
	if a.Discovery(a.ID(), &mark) || mark.Via != 99 {
		t.Errorf("Discovery of a peer not in the room: true or the figures changed (%+v)", mark)
	}
}

// TestDiscoveryKnownAddress: a peer of Listen or Dial says how it came
// and has no discovery figures.
func TestDiscoveryKnownAddress(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	c := dialer(t, srv.Addr().String())
	until(t, "both to join", func() bool { return len(srv.Peers()) == 1 && len(c.Peers()) == 1 }, srv, c)
	for _, tc := range []struct {
		m   *member
		via Via
	}{{srv, ViaListen}, {c, ViaDial}} {
		var d PeerDiscovery
		if !tc.m.Discovery(tc.m.Peers()[0], &d) {
			t.Fatalf("%v: the peer is not in the room", tc.via)
		}
		if d != (PeerDiscovery{Via: tc.via}) {
			t.Errorf("Discovery = %+v, want only Via %v", d, tc.via)
		}
	}
}

// TestDiscoveryTransport: a peer that came through a Transport reports the
// relay path and the Transport, without allocating.
func TestDiscoveryTransport(t *testing.T) {
	leakcheck.Check(t)
	hub := &pipeHub{}
	ta, tb := &pipeTransport{hub: hub}, &pipeTransport{hub: hub}
	a := transportRoom(t, Config{Transports: []Transport{ta}})
	b := transportRoom(t, Config{Transports: []Transport{tb}})
	hub.connect()
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	var d PeerDiscovery
	if !a.Discovery(b.ID(), &d) {
		t.Fatal("b is not in a's room")
	}
	if d.Via != ViaTransport || d.Transport != Transport(ta) || d.First != connector.PathRelay || d.Paths != connector.PathRelay ||
		d.Quality != 1 || d.Beacons != 0 || d.Interface != "" {
		t.Errorf("Discovery = %+v, want the relay path through ta", d)
	}
	if n := testing.AllocsPerRun(100, func() { a.Discovery(b.ID(), &d) }); n != 0 {
		t.Errorf("Discovery allocates %v times per call", n)
	}
}

// TestViaString names each way.
func TestViaString(t *testing.T) {
	for v, want := range map[Via]string{0: "", ViaDiscovery: "discovery", ViaListen: "listen", ViaDial: "dial", ViaTransport: "transport", 9: ""} {
		if got := v.String(); got != want {
			t.Errorf("Via(%d).String() = %q, want %q", v, got, want)
		}
	}
}

// TestDiscoveryTransportAndLAN: rooms that both discover each other on the
// LAN and meet through a Transport: the connection that joined first
// stays; with the Transport's, the paths are the relay's and the beacons'.
func TestDiscoveryTransportAndLAN(t *testing.T) {
	leakcheck.Check(t)
	hub := &pipeHub{}
	port := freeport.UDP(t)
	ta, tb := &pipeTransport{hub: hub}, &pipeTransport{hub: hub}
	cfg := func(tr Transport) Config {
		return Config{Transports: []Transport{LAN, tr}, Loopback: true, UDPPort: port, Interval: 50 * time.Millisecond, PeerTimeout: 10 * time.Second}
	}
	a := transportRoom(t, cfg(ta))
	b := transportRoom(t, cfg(tb))
	hub.connect()
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	var d PeerDiscovery
	until(t, "a beacon of b", func() bool { return a.Discovery(b.ID(), &d) && d.Paths&connector.PathBroadcast != 0 }, a, b)
	switch d.Via {
	case ViaTransport:
		if d.Transport != Transport(ta) || d.Paths&connector.PathRelay == 0 || d.Interface != "lo" {
			t.Errorf("through the Transport: %+v, want the relay and broadcast paths, lo", d)
		}
	case ViaDiscovery:
		if d.Transport != nil || d.Paths&connector.PathRelay != 0 {
			t.Errorf("through discovery: %+v, want no relay path", d)
		}
	default:
		t.Errorf("Via %v", d.Via)
	}
	t.Logf("b came %v: paths %v", d.Via, d.Paths)
}
