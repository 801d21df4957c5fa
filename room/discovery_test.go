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
