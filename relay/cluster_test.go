package relay

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// cluster starts three routed servers on loopback.
func cluster(t *testing.T) []*server.Server {
	t.Helper()
	var ss []*server.Server
	var seed string
	for i := range 3 {
		o := &server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
			ServerName: fmt.Sprintf("s%d", i)}
		o.Cluster = server.ClusterOpts{Name: "cc", Host: "127.0.0.1", Port: server.RANDOM_PORT}
		if seed != "" {
			o.Routes = server.RoutesFromStr(seed)
		}
		s := runServer(t, o)
		t.Cleanup(s.Shutdown)
		if seed == "" {
			seed = "nats://" + s.ClusterAddr().String()
		}
		ss = append(ss, s)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range ss {
		for s.NumRoutes() < 2 {
			if time.Now().After(deadline) {
				t.Fatal("the cluster did not form")
			}
			time.Sleep(5 * time.Millisecond) // polling the server's state
		}
	}
	return ss
}

// Two peers on different servers of a three-server cluster: messages
// flow; the servers die one after the other and both peers fail over,
// with every message once and in order and the room whole.
func TestCluster(t *testing.T) {
	leakcheck.Check(t)
	ss := cluster(t)
	urls := func(order ...int) string {
		var u []string
		for _, i := range order {
			u = append(u, ss[i].ClientURL())
		}
		return strings.Join(u, ",")
	}
	cfg := func() *Config {
		return &Config{ReconnectWait: 20 * time.Millisecond, Retransmit: 50 * time.Millisecond,
			Options: []nats.Option{nats.DontRandomize()}}
	}
	long := func(c *room.Config) { c.PeerTimeout = 5 * time.Second }
	a := newMember(t, urls(0, 1, 2), cfg(), long)
	b := newMember(t, urls(1, 2, 0), cfg(), long)
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	if u, v := a.relay.nc.ConnectedServerName(), b.relay.nc.ConnectedServerName(); u == v {
		t.Fatalf("both on %s", u)
	}
	sent := 0
	send := func(upTo int) {
		for sent < upTo && a.Send(b.ID(), &note{S: fmt.Sprint(sent)}) == nil {
			sent++
		}
	}
	until(t, "flow across the cluster", func() bool { send(500); return len(b.notes()) == 500 }, a, b)

	ss[0].Shutdown() // a's server
	until(t, "a fails over", func() bool { send(1000); return a.relay.Stats().Reconnects >= 1 }, a, b)
	until(t, "flow after a's fail-over", func() bool { send(1500); return len(b.notes()) == 1500 }, a, b)

	ss[1].Shutdown() // b's server, and maybe a's new one
	until(t, "b fails over", func() bool { send(2000); return b.relay.Stats().Reconnects >= 1 }, a, b)
	until(t, "flow after b's fail-over", func() bool { send(3000); return len(b.notes()) == 3000 }, a, b)
	for i, n := range b.notes() {
		if n != fmt.Sprint(i) {
			t.Fatalf("note %d is %q", i, n)
		}
	}
	for _, m := range []*member{a, b} {
		if j, l := m.count(isJoined), m.count(isLeft); j != 1 || l != 0 {
			t.Fatalf("%d joins, %d leaves", j, l)
		}
		if got := m.relay.nc.ConnectedServerName(); got != "s2" {
			t.Fatalf("on %q", got)
		}
	}
}
