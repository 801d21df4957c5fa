package relay

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/roomtest"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// startServer starts an embedded NATS server on a free loopback port.
func startServer(t testing.TB, edit func(*server.Options)) *server.Server {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true}
	if edit != nil {
		edit(opts)
	}
	s := runServer(t, opts)
	t.Cleanup(s.Shutdown)
	return s
}

func runServer(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatal("nats server not ready")
	}
	return s
}

// note is the tests' message: a byte-coded string (code 0x20).
type note = roomtest.Note

func newCodec() message.Codec { return roomtest.NewCodec() }

// member is a Room under test, its relay and the events it got.
type member struct {
	*room.Room
	relay  *Relay
	events []room.Event
}

// fast are the timers of the tests' rooms.
const (
	testInterval    = 100 * time.Millisecond
	testPeerTimeout = 1 * time.Second
)

// newRelay makes a Relay on url with cfg (nil: the defaults).
func newRelay(t testing.TB, url string, cfg *Config) *Relay {
	t.Helper()
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.URL = url
	rl, err := New(&c)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

// newMember starts a Room on relay url only.
func newMember(t testing.TB, url string, cfg *Config, edit func(*room.Config)) *member {
	t.Helper()
	rl := newRelay(t, url, cfg)
	rc := room.Config{
		AppID:       "relay test",
		Codec:       newCodec(),
		Name:        "m",
		Interval:    testInterval,
		PeerTimeout: testPeerTimeout,
		Transports:  []room.Transport{rl},
	}
	if edit != nil {
		edit(&rc)
	}
	r, err := room.New(context.Background(), &rc)
	if err != nil {
		t.Fatal(err)
	}
	m := &member{Room: r, relay: rl}
	t.Cleanup(func() { m.Close() })
	return m
}

// pump runs one frame of each member: Xfer, Get until nil, Xfer.
func pump(ms ...*member) {
	for _, m := range ms {
		m.events = roomtest.Frame[room.Event](m.Room, m.events)
	}
}

// until pumps ms until cond holds, failing t after a generous deadline.
func until(t testing.TB, what string, cond func() bool, ms ...*member) {
	t.Helper()
	roomtest.Until(t, 30*time.Second, what, cond, func() { pump(ms...) })
}

func hasPeer(m *member, id room.PeerID) bool { return slices.Contains(m.Peers(), id) }

// count counts m's events that match keep.
func (m *member) count(keep func(room.Event) bool) int {
	n := 0
	for _, ev := range m.events {
		if keep(ev) {
			n++
		}
	}
	return n
}

func isJoined(ev room.Event) bool { _, ok := ev.(room.Joined); return ok }
func isLeft(ev room.Event) bool   { _, ok := ev.(room.Left); return ok }

// notes returns the note texts m received, in order.
func (m *member) notes() []string {
	var out []string
	for _, ev := range m.events {
		if msg, ok := ev.(room.Message); ok {
			if n, ok := msg.Msg.(*note); ok {
				out = append(out, n.S)
			}
		}
	}
	return out
}

// tap records every message the server routes on the app's subjects.
type tap struct {
	nc   *nats.Conn
	mu   sync.Mutex
	msgs [][]byte
	subs map[string]int
}

func newTap(t testing.TB, url string) *tap {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	tp := &tap{nc: nc, subs: make(map[string]int)}
	if _, err := nc.Subscribe(subjectPrefix+">", func(m *nats.Msg) {
		tp.mu.Lock()
		tp.msgs = append(tp.msgs, append([]byte(nil), m.Data...))
		tp.subs[m.Subject]++
		tp.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return tp
}

// all returns every recorded payload, concatenated, and the subjects.
func (tp *tap) all() ([]byte, map[string]int) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var b []byte
	for _, m := range tp.msgs {
		b = append(b, m...)
	}
	subs := make(map[string]int, len(tp.subs))
	for k, v := range tp.subs {
		subs[k] = v
	}
	return b, subs
}

// conns starts two relays with an Accept that collects their streams.
type connSide struct {
	relay *Relay
	got   chan room.TransportConn
}

func startSide(t testing.TB, url string, id room.PeerID, cfg *Config) *connSide {
	t.Helper()
	return startSideWith(t, url, id, cfg, nil)
}

func startSideWith(t testing.TB, url string, id room.PeerID, cfg *Config, drop func([]byte) bool) *connSide {
	t.Helper()
	rl := newRelay(t, url, cfg)
	rl.testDrop = drop
	s := &connSide{relay: rl, got: make(chan room.TransportConn, 16)}
	err := rl.Start(context.Background(), room.TransportInfo{
		AppID: "conn test", Self: id, Name: fmt.Sprintf("side %d", id),
		Interval: testInterval, PeerTimeout: testPeerTimeout,
		Accept: func(tc room.TransportConn) { s.got <- tc },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rl.Close() })
	return s
}

// pair returns the two ends of one stream between relays a (id 1) and b (id 2).
func pair(t testing.TB, url string, cfg *Config) (*Conn, *Conn, *connSide, *connSide) {
	t.Helper()
	a := startSide(t, url, 1, cfg)
	b := startSide(t, url, 2, cfg)
	ca := recvConn(t, a)
	cb := recvConn(t, b)
	t.Cleanup(func() { ca.Conn.Close(); cb.Conn.Close() })
	if ca.Peer != 2 || cb.Peer != 1 {
		t.Fatalf("peers %d and %d", ca.Peer, cb.Peer)
	}
	return ca.Conn.(*Conn), cb.Conn.(*Conn), a, b
}

func recvConn(t testing.TB, s *connSide) room.TransportConn {
	t.Helper()
	select {
	case tc := <-s.got:
		return tc
	case <-time.After(20 * time.Second):
		t.Fatal("no stream")
	}
	return room.TransportConn{}
}

// passwordCases are the two rooms of the password tests: without one the
// tap sees the marker (visible), with one it must not.
var passwordCases = []struct {
	name     string
	password string
	visible  bool
}{
	{"plain", "", true},
	{"password", "swordfish", false},
}

// waitFor polls cond until it holds, failing t after a generous deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	roomtest.Until(t, 30*time.Second, what, cond, nil)
}
