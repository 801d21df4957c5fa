package relay

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
	"github.com/nats-io/nats-server/v2/server"
)

// A peer whose path to the server goes dark (no goodbye, no reset) is
// dropped when its presence expires: Left with ErrPeerTimeout.
func TestPresenceExpiry(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	px := newProxy(t, s.Addr().String())
	a := newMember(t, s.ClientURL(), nil, nil)
	b := newMember(t, px.url(), nil, nil)
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	px.frozen.Store(true)
	start := time.Now()
	until(t, "a drops b", func() bool { return !hasPeer(a, b.ID()) }, a)
	took := time.Since(start)
	var reason error
	for _, ev := range a.events {
		if l, ok := ev.(room.Left); ok {
			reason = l.Reason
		}
	}
	if !errors.Is(reason, room.ErrPeerTimeout) {
		t.Fatalf("b left with %v", reason)
	}
	// The relay's presence expires too (the Room's own timeout may come first).
	until(t, "b's presence expires", func() bool { return a.relay.Stats().Expired == 1 }, a)
	t.Logf("dropped %v after the path went dark (peer timeout %v)", took, testPeerTimeout)
}

// The server restarts mid-game: both relays reconnect (nats.go), the
// streams resend what the restart lost, and the room carries on: one
// peer each, no Left, every message once and in order, those sent after
// the reconnect included.
func TestServerRestart(t *testing.T) {
	leakcheck.Check(t)
	opts := &server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true}
	s := runServer(t, opts)
	url := s.ClientURL()
	var cur *server.Server = s
	t.Cleanup(func() { cur.Shutdown() })
	cfg := &Config{ReconnectWait: 20 * time.Millisecond, Retransmit: 50 * time.Millisecond}
	long := func(c *room.Config) { c.PeerTimeout = 5 * time.Second }
	a := newMember(t, url, cfg, long)
	b := newMember(t, url, cfg, long)
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)

	sent := 0
	send := func(upTo int) {
		for sent < upTo && a.Send(b.ID(), &note{S: fmt.Sprint(sent)}) == nil {
			sent++
		}
	}
	until(t, "the first 500", func() bool { send(500); return len(b.notes()) >= 300 }, a, b)

	cur.Shutdown()
	cur.WaitForShutdown()
	restarted := *opts
	restarted.Port = addrPort(t, url)
	cur = runServer(t, &restarted)
	until(t, "both reconnect", func() bool {
		send(1000)
		return a.relay.Stats().Reconnects >= 1 && b.relay.Stats().Reconnects >= 1
	}, a, b)
	until(t, "all 2000", func() bool { send(2000); return len(b.notes()) == 2000 }, a, b)
	for i, n := range b.notes() {
		if n != fmt.Sprint(i) {
			t.Fatalf("note %d is %q", i, n)
		}
	}
	for _, m := range []*member{a, b} {
		if j, l := m.count(isJoined), m.count(isLeft); j != 1 || l != 0 || len(m.Peers()) != 1 {
			t.Fatalf("%d joins, %d leaves, peers %v", j, l, m.Peers())
		}
	}
	t.Logf("a: %+v", a.relay.Stats())
}

func addrPort(t testing.TB, url string) int {
	t.Helper()
	var port int
	if _, err := fmt.Sscanf(url, "nats://127.0.0.1:%d", &port); err != nil {
		t.Fatalf("no port in %s: %v", url, err)
	}
	return port
}
