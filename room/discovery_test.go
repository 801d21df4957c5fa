package room

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestAddrWithDiscovery: with discovery, Addr is where the connector
// accepts peers.
func TestAddrWithDiscovery(t *testing.T) {
	leakcheck.Check(t)
	r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Loopback: true, UDPPort: freeport.UDP(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, ok := r.Addr().(*net.TCPAddr)
	if !ok || a.Port == 0 {
		t.Fatalf("Addr() = %v, want the connector's TCP address", r.Addr())
	}
	if want := r.bc.TCPAddr(); a.AddrPort() != want {
		t.Errorf("Addr() = %v, want the connector's %v", a, want)
	}
	c, err := net.Dial("tcp", a.String())
	if err != nil {
		t.Fatalf("dial Addr(): %v", err)
	}
	c.Close()
	if got := dialer(t, "127.0.0.1:1").Addr(); got != nil {
		t.Errorf("a Room that only dials: Addr() = %v, want nil", got)
	}
}

// fakeDiscoverer records the announcement it was started with.
type fakeDiscoverer struct {
	self atomic.Pointer[connector.Announcement]
}

func (f *fakeDiscoverer) StartDiscovery(self connector.Announcement, _ func(connector.Sighting)) (connector.DiscoverySession, error) {
	f.self.Store(&self)
	return fakeSession{}, nil
}

type fakeSession struct{}

func (fakeSession) Quiet()       {}
func (fakeSession) Close() error { return nil }

// TestDiscoveryPassedOn: Config.Discovery reaches the connector, which
// announces the room's id and AppID through it.
func TestDiscoveryPassedOn(t *testing.T) {
	leakcheck.Check(t)
	var f fakeDiscoverer
	r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Loopback: true, UDPPort: freeport.UDP(t), Interval: 50 * time.Millisecond, Discovery: &f})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	self := f.self.Load()
	if self == nil {
		t.Fatal("the Discoverer was not started")
	}
	if self.ID != connector.PeerID(r.ID()) || self.AppID != "room-test" {
		t.Errorf("announced id %v AppID %q, want %v %q", self.ID, self.AppID, connector.PeerID(r.ID()), "room-test")
	}
}

// TestOneToOne: two OneToOne rooms pair, and their discovery ends: a third
// that comes later stays alone while they go on pinging each other.
func TestOneToOne(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	start := func() *member {
		r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Loopback: true, UDPPort: port,
			Interval: 50 * time.Millisecond, PeerTimeout: 10 * time.Second, OneToOne: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return &member{Room: r}
	}
	a, b := start(), start()
	until(t, "the pair", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	c := start()
	// 40 beacon intervals: without OneToOne c joins both within a few.
	for range 40 {
		pump(a, b, c)
		time.Sleep(50 * time.Millisecond) // a beacon interval, not a synchronisation
	}
	if n := len(c.Peers()); n != 0 || len(a.Peers()) != 1 || len(b.Peers()) != 1 {
		t.Errorf("peers: a %d, b %d, c %d; want 1, 1, 0", len(a.Peers()), len(b.Peers()), n)
	}
}
