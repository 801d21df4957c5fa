package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// recorder collects a connector's callbacks.
type recorder struct {
	mu          sync.Mutex
	connects    []Peer
	disconnects []disconnect
}

type disconnect struct {
	peer   Peer
	reason error
}

func (r *recorder) onConnect(p Peer) {
	r.mu.Lock()
	r.connects = append(r.connects, p)
	r.mu.Unlock()
}

func (r *recorder) onDisconnect(p Peer, err error) {
	r.mu.Lock()
	r.disconnects = append(r.disconnects, disconnect{p, err})
	r.mu.Unlock()
}

func (r *recorder) counts() (connects, disconnects int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.connects), len(r.disconnects)
}

func (r *recorder) connectsTo(id PeerID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.connects {
		if p.ID == id {
			n++
		}
	}
	return n
}

func (r *recorder) disconnectsFrom(id PeerID) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []error
	for _, d := range r.disconnects {
		if d.peer.ID == id {
			out = append(out, d.reason)
		}
	}
	return out
}

// testPeer is a connector with a recorder.
type testPeer struct {
	*BroadcastConnector
	rec *recorder
}

// loopbackConfig is the configuration every loopback test starts from: a
// beacon port and an application id of the test's own, fast timers.
func loopbackConfig(t testing.TB, port int) BroadcastConfig {
	return BroadcastConfig{
		AppID:       "test/" + t.Name(),
		UDPPort:     port,
		Loopback:    true,
		Interval:    50 * time.Millisecond,
		PeerTimeout: 2 * time.Second, // generous: the test machine may be loaded
	}
}

// newTestPeer creates (not starts) a connector; Stop is registered as
// cleanup.
func newTestPeer(t testing.TB, cfg BroadcastConfig, name string) *testPeer {
	t.Helper()
	rec := &recorder{}
	cfg.Name = name
	cfg.OnConnect = rec.onConnect
	cfg.OnDisconnect = rec.onDisconnect
	c, err := NewBroadcastConnector(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return &testPeer{c, rec}
}

func startTestPeer(t testing.TB, cfg BroadcastConfig, name string) *testPeer {
	t.Helper()
	p := newTestPeer(t, cfg, name)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

// startTwo makes two connectors with cfg, stopped when the test ends,
// and starts them, a first, with ctx.
func startTwo(t testing.TB, ctx context.Context, cfg BroadcastConfig) (a, b *BroadcastConnector) {
	t.Helper()
	cs := make([]*BroadcastConnector, 2)
	for i := range cs {
		c, err := NewBroadcastConnector(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Stop() })
		cs[i] = c
	}
	for _, c := range cs {
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return cs[0], cs[1]
}

// startConnectedPair starts peers "a" and "b" and waits until each has
// the other connected.
func startConnectedPair(t testing.TB, cfg BroadcastConfig) (a, b *testPeer) {
	t.Helper()
	a = startTestPeer(t, cfg, "a")
	b = startTestPeer(t, cfg, "b")
	waitFor(t, 10*time.Second, "connected", func() bool { return a.hasPeer(b.ID()) && b.hasPeer(a.ID()) })
	return a, b
}

func (p *testPeer) hasPeer(id PeerID) bool {
	for _, q := range p.Peers() {
		if q.ID == id {
			return true
		}
	}
	return false
}

func (p *testPeer) peer(t testing.TB, id PeerID) Peer {
	t.Helper()
	for _, q := range p.Peers() {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("%v is not connected to %v", p.ID(), id)
	return Peer{}
}

// checkConnWorks sends a few bytes each way through the connection a and
// b share.
func checkConnWorks(t testing.TB, a, b Peer) {
	t.Helper()
	msg := []byte("ping " + a.Addr.String())
	if _, err := b.Conn.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	_ = a.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(a.Conn, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	_ = a.Conn.SetReadDeadline(time.Time{})
	if string(got) != string(msg) {
		t.Fatalf("read %q, want %q", got, msg)
	}
}

func TestTwoPeersConnect(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.Metadata = []byte("room=1")
	a := startTestPeer(t, cfg, "alice")
	b := startTestPeer(t, cfg, "bob")

	waitFor(t, 10*time.Second, "a and b connected", func() bool {
		return a.hasPeer(b.ID()) && b.hasPeer(a.ID())
	})
	waitFor(t, 10*time.Second, "both OnConnect calls", func() bool {
		return a.rec.connectsTo(b.ID()) == 1 && b.rec.connectsTo(a.ID()) == 1
	})
	pa, pb := a.peer(t, b.ID()), b.peer(t, a.ID())
	if pa.Name != "bob" || pb.Name != "alice" {
		t.Errorf("names %q, %q", pa.Name, pb.Name)
	}
	if string(pa.Metadata) != "room=1" {
		t.Errorf("metadata %q", pa.Metadata)
	}
	if pa.Outgoing == pb.Outgoing {
		t.Errorf("both sides have Outgoing=%v", pa.Outgoing)
	}
	// One connection: the two ends match.
	if pa.Conn.LocalAddr().String() != pb.Conn.RemoteAddr().String() {
		t.Errorf("a's end %v, b's peer end %v", pa.Conn.LocalAddr(), pb.Conn.RemoteAddr())
	}
	if pa.Addr != b.TCPAddr() {
		t.Errorf("a sees b at %v, b accepts on %v", pa.Addr, b.TCPAddr())
	}
	if got := a.Addresses(); len(got) != 1 || got[0].String() != "127.0.0.1" {
		t.Errorf("Addresses() = %v", got)
	}
	checkConnWorks(t, pa, pb)
	checkConnWorks(t, pb, pa)

	// A clean Stop: b is dropped at once on a's side with ErrPeerLeft (goodbye)
	// or io.EOF (the close arrived first), and b reports ErrStopped.
	b.Stop()
	waitFor(t, 5*time.Second, "a drops b", func() bool { return len(a.rec.disconnectsFrom(b.ID())) > 0 })
	if errs := a.rec.disconnectsFrom(b.ID()); len(errs) != 1 ||
		!(errors.Is(errs[0], ErrPeerLeft) || errors.Is(errs[0], io.EOF)) {
		t.Errorf("a's OnDisconnect reasons for b: %v", errs)
	}
	if errs := b.rec.disconnectsFrom(a.ID()); len(errs) != 1 || !errors.Is(errs[0], ErrStopped) {
		t.Errorf("b's OnDisconnect reasons for a: %v", errs)
	}
	a.Stop()
}

func TestFullMesh(t *testing.T) {
	leakcheck.Check(t)
	const n = 6
	cfg := loopbackConfig(t, freeport.UDP(t))
	peers := make([]*testPeer, n)
	for i := range peers {
		peers[i] = startTestPeer(t, cfg, fmt.Sprintf("p%d", i))
	}
	waitFor(t, 20*time.Second, "full mesh", func() bool {
		for _, p := range peers {
			if len(p.Peers()) != n-1 {
				return false
			}
		}
		return true
	})
	for _, p := range peers {
		for _, q := range peers {
			if p != q && p.rec.connectsTo(q.ID()) != 1 {
				t.Errorf("%v saw %d OnConnect for %v", p.ID(), p.rec.connectsTo(q.ID()), q.ID())
			}
		}
		if _, d := p.rec.counts(); d != 0 {
			t.Errorf("%v saw %d disconnects", p.ID(), d)
		}
	}
	for _, p := range peers {
		p.Stop()
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []BroadcastConfig{
		{AppID: strings.Repeat("x", MaxAppIDLen+1)},
		{Name: strings.Repeat("x", MaxNameLen+1)},
		{Name: "\xff"},
		{Metadata: make([]byte, MaxMetadataLen+1)},
		{UDPPort: 70000},
		{TCPPort: -1},
		{Interval: -time.Second},
		{Interval: time.Second, PeerTimeout: time.Second},
	}
	for i, cfg := range tests {
		if _, err := NewBroadcastConnector(&cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("case %d: %v, want ErrInvalidConfig", i, err)
		}
	}
	c, err := NewBroadcastConnector(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.UDPPort != DefaultNativeUDPPort || c.cfg.Interval != time.Second || c.cfg.PeerTimeout != 4*time.Second || c.cfg.AppID != DefaultAppID {
		t.Errorf("defaults: %+v", c.cfg)
	}
	c.Stop() // before Start: fine
	if err := c.Start(context.Background()); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after Stop: %v", err)
	}
	cc, _ := NewBroadcastConnector(&BroadcastConfig{Compat: true})
	if cc.cfg.UDPPort != 8222 || cc.cfg.TCPPort != 8223 {
		t.Errorf("compat ports %d/%d", cc.cfg.UDPPort, cc.cfg.TCPPort)
	}
}

// Count returns how many OnConnect calls named the peer id (as a string).
func (r *recorder) Count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.connects {
		if p.ID.String() == id {
			n++
		}
	}
	return n
}

func (r *recorder) disconnectsFromStr(id string) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []error
	for _, d := range r.disconnects {
		if d.peer.ID.String() == id {
			out = append(out, d.reason)
		}
	}
	return out
}
