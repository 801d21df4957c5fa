package room

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// crash ends r as a killed process would: what it has queued is written
// (so the acks of the items it took are out), then its connections close
// with no goodbye, unread bytes still in them.
func (m *member) crash(t *testing.T) {
	t.Helper()
	for _, p := range m.peers {
		if err := p.m.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		p.m.Close()
	}
	m.peers = nil
	clear(m.byID)
	m.Close()
}

func (m *member) items() []Item {
	var got []Item
	for _, ev := range m.take(func(ev Event) bool { _, ok := ev.(Item); return ok }) {
		got = append(got, ev.(Item))
	}
	return got
}

// TestWorkQueue: each item produced goes to exactly one consumer that
// asked, none to a room that did not ask; the items in flight to a
// consumer that is killed go to the others; none is lost or duplicated.
func TestWorkQueue(t *testing.T) {
	leakcheck.Check(t)
	prod := listener(t, Config{})
	addr := prod.Addr().String()
	c1, c2, c3, idle := dialer(t, addr), dialer(t, addr), dialer(t, addr), dialer(t, addr)
	all := []*member{prod, c1, c2, c3, idle}
	until(t, "the room to form", func() bool { return len(prod.Peers()) == 4 }, all...)
	for _, c := range []*member{c1, c2, c3} {
		until(t, "the consumer to see the producer", func() bool { return len(c.Peers()) == 1 }, all...)
		if err := c.Notify("jobs", 100); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "the producer to get the requests", func() bool {
		for _, c := range []*member{c1, c2, c3} {
			if prod.byID[c.ID()].credits["jobs"] != 100 {
				return false
			}
		}
		return true
	}, all...)

	const n = 150
	for i := range n {
		if err := prod.Produce("jobs", &note{S: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]PeerID{}
	record := func(c *member) int {
		k := 0
		for _, it := range c.items() {
			s := it.Msg.(*note).S
			if it.Group != "jobs" || it.Peer != prod.ID() {
				t.Errorf("item %+v", it)
			}
			if other, dup := seen[s]; dup {
				t.Errorf("item %s reached %016x and %016x", s, uint64(other), uint64(c.ID()))
			}
			seen[s] = c.ID()
			k++
		}
		return k
	}
	// c3 takes 5 of its items (Get returns them, the next Xfer acks them),
	// then is killed with the rest unread.
	took := 0
	until(t, "c3 to take 5 items", func() bool {
		pump(prod)
		_ = c3.Xfer()
		for took < 5 {
			ev := c3.Get()
			if ev == nil {
				break
			}
			if _, ok := ev.(Item); ok {
				took++
			}
			c3.events = append(c3.events, ev)
		}
		_ = c3.Xfer()
		record(c3)
		return took == 5
	})
	got := 0
	until(t, "c1 and c2 to take theirs", func() bool {
		got += record(c1) + record(c2)
		return got == 2*n/3
	}, prod, c1, c2, idle)
	c3.crash(t)
	until(t, "every item to be taken", func() bool {
		record(c1)
		record(c2)
		return len(seen) == n
	}, prod, c1, c2, idle)
	until(t, "c3 to leave", func() bool { _, ok := leftOf(prod, c3.ID()); return ok }, prod)
	if reason, _ := leftOf(prod, c3.ID()); !errors.Is(reason, ErrPeerReset) {
		t.Errorf("c3 left with %v, want ErrPeerReset", reason)
	}
	if k := countOf(seen, c3.ID()); k != 5 {
		t.Errorf("c3 took %d items, want 5", k)
	}
	until(t, "every item to be acknowledged", func() bool {
		q, f := prod.Work("jobs")
		return q == 0 && f == 0
	}, prod, c1, c2, idle)
	if got := idle.items(); len(got) != 0 {
		t.Errorf("a room that never asked got %d items", len(got))
	}
}

func countOf(seen map[string]PeerID, id PeerID) int {
	k := 0
	for _, v := range seen {
		if v == id {
			k++
		}
	}
	return k
}

// TestWorkQueueWaitsForConsumer: items produced while nobody asked wait in
// the queue, and go out, oldest first, when a consumer asks; the limits.
func TestWorkQueueWaitsForConsumer(t *testing.T) {
	leakcheck.Check(t)
	prod := listener(t, Config{MaxWork: 3})
	for i := range 3 {
		if err := prod.Produce("jobs", &note{S: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := prod.Produce("jobs", &note{S: "x"}); !errors.Is(err, ErrWorkFull) {
		t.Errorf("Produce beyond MaxWork: %v, want ErrWorkFull", err)
	}
	if err := prod.Produce("", &note{S: "x"}); !errors.Is(err, ErrGroupName) {
		t.Errorf("Produce to \"\": %v, want ErrGroupName", err)
	}
	if err := prod.Produce("jobs", &note{S: strings.Repeat("x", 300)}); err == nil {
		t.Error("Produce of a message over the codec's limit: no error")
	}
	c := dialer(t, prod.Addr().String())
	until(t, "c to join", func() bool { return len(c.Peers()) == 1 }, prod, c)
	for _, n := range []int{0, -1, MaxNotify + 1} {
		if err := c.Notify("jobs", n); !errors.Is(err, ErrBadCount) {
			t.Errorf("Notify(%d): %v, want ErrBadCount", n, err)
		}
	}
	if err := c.Notify("jobs", 2); err != nil {
		t.Fatal(err)
	}
	var got []string
	until(t, "two items", func() bool {
		for _, it := range c.items() {
			got = append(got, it.Msg.(*note).S)
		}
		q, f := prod.Work("jobs")
		return len(got) == 2 && q == 1 && f == 0
	}, prod, c)
	if got[0] != "0" || got[1] != "1" {
		t.Errorf("items %v, want the oldest two, 0 and 1", got)
	}
}
