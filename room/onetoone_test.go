package room

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestOneToOneFour: four OneToOne rooms start at once, many times over.
// Every time they form two pairs: each room has one peer, whose peer it
// is, and neither side ever sees a connection the other had dropped (no
// Left, no Rejected, one Joined each), and a message crosses each pair
// both ways.
func TestOneToOneFour(t *testing.T) {
	leakcheck.Check(t)
	trials := 20
	if testing.Short() {
		trials = 2
	}
	for trial := range trials {
		port := freeport.UDP(t)
		ms := make([]*member, 4)
		for i := range ms {
			r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Loopback: true, UDPPort: port,
				Interval: 50 * time.Millisecond, PeerTimeout: 10 * time.Second, OneToOne: true})
			if err != nil {
				t.Fatal(err)
			}
			ms[i] = &member{Room: r}
		}
		byID := make(map[PeerID]*member)
		for _, m := range ms {
			byID[m.ID()] = m
		}
		until(t, fmt.Sprintf("trial %d: two pairs", trial), func() bool {
			for _, m := range ms {
				if len(m.Peers()) != 1 {
					return false
				}
			}
			return true
		}, ms...)
		for i, m := range ms {
			o := byID[m.Peers()[0]]
			if o == nil || len(o.Peers()) != 1 || o.Peers()[0] != m.ID() {
				t.Fatalf("trial %d: room %d paired with %016x, which does not pair with it", trial, i, uint64(m.Peers()[0]))
			}
			if err := m.Send(o.ID(), &note{S: fmt.Sprint("from ", i)}); err != nil {
				t.Fatal(err)
			}
		}
		got := make([]int, len(ms))
		until(t, fmt.Sprintf("trial %d: a message each way", trial), func() bool {
			done := true
			for i, m := range ms {
				got[i] += len(m.notes())
				done = done && got[i] == 1
			}
			return done
		}, ms...)
		// A connection the other side dropped would show as a Left in a
		// few intervals: look again after four.
		for range 4 {
			pump(ms...)
			time.Sleep(50 * time.Millisecond) // an interval, not a synchronisation
		}
		for i, m := range ms {
			joined, other := 0, 0
			for _, ev := range m.events {
				switch ev.(type) {
				case Joined:
					joined++
				default:
					other++
				}
			}
			if joined != 1 || other != 0 {
				t.Errorf("trial %d: room %d saw %d Joined and %d other events (%v), want one Joined", trial, i, joined, other, m.events)
			}
		}
		for _, m := range ms {
			m.Close()
		}
		if t.Failed() {
			return
		}
	}
}
