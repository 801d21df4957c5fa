package relay

import (
	"fmt"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
)

// Rooms on both the LAN (loopback beacons) and the relay see each other
// twice, and keep one peer each: one connection is refused, messages
// flow, and the room settles with one peer (a crossed choice, where each
// side kept another connection, heals through the LAN's reconnect).
func TestLANAndRelayOnePeer(t *testing.T) {
	leakcheck.Check(t)
	for _, delay := range []time.Duration{0, 500 * time.Millisecond} {
		t.Run(fmt.Sprint("OpenDelay=", delay), func(t *testing.T) {
			s := startServer(t, nil)
			port := freeport.UDP(t)
			both := func(c *room.Config) {
				c.Loopback = true
				c.UDPPort = port
				c.Interval = 50 * time.Millisecond
				c.PeerTimeout = 2 * time.Second
				c.Transports = append(c.Transports, room.LAN)
			}
			cfg := &Config{OpenDelay: delay}
			a := newMember(t, s.ClientURL(), cfg, both)
			b := newMember(t, s.ClientURL(), cfg, both)
			until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
			// Both ways were tried: the relay opened its stream.
			until(t, "the relay stream", func() bool { return a.relay.Stats().Opened > 0 && b.relay.Stats().Opened > 0 }, a, b)
			// Notes sent on a connection a crossed choice then drops are
			// lost with it (b sees a Left and a Joined), so a sends until b
			// has 100.
			sent := 0
			until(t, "100 notes after settling", func() bool {
				if len(a.Peers()) == 1 && a.Send(b.ID(), &note{S: fmt.Sprint(sent)}) == nil {
					sent++
				}
				return len(b.notes()) >= 100 && len(a.Peers()) == 1 && len(b.Peers()) == 1
			}, a, b)
			for _, m := range []*member{a, b} {
				if j, l := m.count(isJoined), m.count(isLeft); j-l != 1 {
					t.Fatalf("%d joins, %d leaves", j, l)
				}
				t.Logf("joins %d, leaves %d, relay %+v", m.count(isJoined), m.count(isLeft), m.relay.Stats())
			}
		})
	}
}
