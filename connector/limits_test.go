package connector

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// helloConn connects to c's acceptor with a plain socket and completes the
// identify exchange as peer id, which never sends a beacon.
func helloConn(t *testing.T, c *testPeer, id PeerID) (net.Conn, error) {
	t.Helper()
	conn, err := net.Dial("tcp4", c.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	me := record{kind: kindBeacon, id: id, port: 1, app: []byte(c.cfg.AppID), name: []byte("stranger")}
	if _, err := conn.Write(helloFrame(&me, c.ID())); err != nil {
		return nil, err
	}
	b, err := readFrame(conn)
	if err != nil {
		return nil, err
	}
	if _, err := parseReply(b); err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, nil
}

func TestMaxConns(t *testing.T) {
	leakcheck.Check(t)
	// a holds at most MaxConns peers; a stranger that never beacons holds
	// a place only until a peer heard in a beacon needs it.
	cfg := loopbackConfig(t, freeport.UDP(t))
	one := cfg
	one.MaxConns = 1
	a := startTestPeer(t, one, "a")
	if _, err := helloConn(t, a, 5); err != nil {
		t.Fatalf("the first stranger: %v", err)
	}
	waitFor(t, 10*time.Second, "the stranger connected", func() bool { return a.hasPeer(5) })
	if _, err := helloConn(t, a, 6); !errors.Is(err, ErrRejected) {
		t.Fatalf("a second stranger beyond MaxConns: %v, want ErrRejected", err)
	}
	b := startTestPeer(t, cfg, "b")
	waitFor(t, 10*time.Second, "b connected to a", func() bool { return a.hasPeer(b.ID()) && b.hasPeer(a.ID()) })
	if r := a.rec.disconnectsFrom(5); len(r) != 1 || !errors.Is(r[0], ErrEvicted) {
		t.Fatalf("the stranger's OnDisconnect: %v, want ErrEvicted", r)
	}
	if n := len(a.Peers()); n != 1 {
		t.Fatalf("a holds %d peers, MaxConns is 1", n)
	}
	// A second real peer does not evict b (it is heard) and is not connected.
	c := startTestPeer(t, cfg, "c")
	waitFor(t, 10*time.Second, "b and c connected", func() bool { return b.hasPeer(c.ID()) && c.hasPeer(b.ID()) })
	waitBeacons(t, a, 10)
	if a.hasPeer(c.ID()) || !a.hasPeer(b.ID()) || len(a.rec.disconnectsFrom(b.ID())) != 0 {
		t.Fatalf("a's peers %v, want only b", a.Peers())
	}
	a.Stop()
	b.Stop()
	c.Stop()
}

func TestUnbeaconedConnExpires(t *testing.T) {
	leakcheck.Check(t)
	// A connection that completed the identify exchange but whose peer
	// never beacons is dropped after PeerTimeout.
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.PeerTimeout = 300 * time.Millisecond
	a := startTestPeer(t, cfg, "a")
	conn, err := helloConn(t, a, 5)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the stranger dropped", func() bool { return len(a.rec.disconnectsFrom(5)) == 1 })
	if r := a.rec.disconnectsFrom(5)[0]; !errors.Is(r, ErrPeerTimeout) {
		t.Errorf("reason %v, want ErrPeerTimeout", r)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("the stranger's connection is still open")
	}
	a.Stop()
}

func TestForgedBeaconDialBound(t *testing.T) {
	leakcheck.Check(t)
	// 1000 forged beacons, each with a new id, name one address and port
	// (a "third host": a listener here that counts connections). Two
	// connectors hear all of them; each dials the target at most dialBurst
	// times plus once per dialRefill, never once per datagram.
	port := freeport.UDP(t)
	cfg := loopbackConfig(t, port)
	a, b := startConnectedPair(t, cfg)

	target, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := target.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	s, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tport := uint16(target.Addr().(*net.TCPAddr).Port)
	to := &net.UDPAddr{IP: net.IPv4(127, 255, 255, 255), Port: port}
	beacon := appendRecord(nil, &record{kind: kindBeacon, id: 1, port: tport, app: []byte(cfg.AppID), name: []byte("forged")})
	const datagrams = 1000
	start := time.Now()
	before := a.Stats().BeaconsReceived
	dialsBefore := a.Stats().Dials + b.Stats().Dials
	for i := range datagrams {
		// The highest ids, so that every connector is the one that dials.
		binary.BigEndian.PutUint64(beacon[6:], ^uint64(i))
		if _, err := s.WriteToUDP(beacon, to); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 20*time.Second, "the forged beacons heard", func() bool {
		return a.Stats().BeaconsReceived-before >= datagrams/2
	})
	waitBeacons(t, a, 5) // the listener has worked through the burst
	elapsed := time.Since(start)
	target.Close()
	<-acceptDone
	dials := a.Stats().Dials + b.Stats().Dials - dialsBefore
	limit := 2 * (dialBurst + uint64(elapsed/dialRefill) + 1)
	t.Logf("%d datagrams: %d dials by two connectors, %d connections at the target, in %v (limited: %d, %d)",
		datagrams, dials, accepted.Load(), elapsed.Round(time.Millisecond), a.Stats().DialsLimited, b.Stats().DialsLimited)
	if n := uint64(accepted.Load()); n > limit || n > dials {
		t.Errorf("%d connections reached the target, the bound is %d", n, limit)
	}
	if a.Stats().DialsLimited == 0 || b.Stats().DialsLimited == 0 {
		t.Error("no dial was limited")
	}
	checkConnWorks(t, a.peer(t, b.ID()), b.peer(t, a.ID()))
	a.Stop()
	b.Stop()
}

func TestMaxConnsConfig(t *testing.T) {
	for _, n := range []int{-1, MaxPeers + 1} {
		if _, err := NewBroadcastConnector(&BroadcastConfig{MaxConns: n}); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("MaxConns %d: %v", n, err)
		}
	}
	c, err := NewBroadcastConnector(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.MaxConns != DefaultMaxConns {
		t.Errorf("default MaxConns %d", c.cfg.MaxConns)
	}
	_ = c.Stop()
}

func TestPeerTableEviction(t *testing.T) {
	// The table logic alone, fed beacons directly. With Loopback, the
	// 10.x peers are never dialed.
	c, err := NewBroadcastConnector(&BroadcastConfig{Loopback: true, AppID: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.discoveryOn = true
	beacon := func(id PeerID, ip netip.Addr) {
		r := record{kind: kindBeacon, id: id, port: 9, app: []byte("t")}
		c.onBeaconLocked(&r, ip)
	}
	// A full table of fake peers, each on an address of its own.
	for i := range MaxPeers {
		beacon(PeerID(1000+i), netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}))
	}
	if len(c.peers) != MaxPeers {
		t.Fatalf("%d entries", len(c.peers))
	}
	// A real peer still gets in; the stalest fake made room.
	real := netip.MustParseAddr("10.2.0.1")
	beacon(5, real)
	if c.peers[peerKey{id: 5}] == nil || len(c.peers) != MaxPeers || c.stats.evicted.Load() != 1 {
		t.Fatalf("real peer admitted %v, %d entries, %d evicted", c.peers[peerKey{id: 5}] != nil, len(c.peers), c.stats.evicted.Load())
	}
	// It is heard again while more fakes arrive: it stays.
	for i := range 2 * MaxPeers {
		beacon(PeerID(10000+i), netip.AddrFrom4([4]byte{10, 4, byte(i >> 8), byte(i)}))
		if i%100 == 0 {
			beacon(5, real)
		}
	}
	if c.peers[peerKey{id: 5}] == nil {
		t.Fatal("the real peer, heard regularly, was evicted by fakes")
	}
	// One address holds at most maxEntriesPerIP entries.
	clear(c.peers)
	one := netip.MustParseAddr("10.3.0.1")
	for i := range 3 * maxEntriesPerIP {
		beacon(PeerID(100000+i), one)
	}
	if len(c.peers) != maxEntriesPerIP {
		t.Fatalf("one address holds %d entries, want %d", len(c.peers), maxEntriesPerIP)
	}
	beacon(6, real)
	if c.peers[peerKey{id: 6}] == nil {
		t.Fatal("a peer on another address was not admitted")
	}
}
