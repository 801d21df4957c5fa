package relay

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
)

// Two Rooms on the relay alone find each other and exchange messages in
// order, each once; the Room has no LAN address.
func TestRoomOverRelay(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	a := newMember(t, s.ClientURL(), nil, nil)
	b := newMember(t, s.ClientURL(), nil, nil)
	if a.Addr() != nil {
		t.Fatalf("a relay-only room listens on %v", a.Addr())
	}
	until(t, "both see each other", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	const n = 2000
	sent := 0
	until(t, "all notes arrive", func() bool {
		for sent < n && a.Send(b.ID(), &note{S: fmt.Sprint(sent)}) == nil {
			sent++
		}
		return len(b.notes()) == n
	}, a, b)
	for i, s := range b.notes() {
		if s != fmt.Sprint(i) {
			t.Fatalf("note %d is %q", i, s)
		}
	}
	if j := a.count(isJoined); j != 1 {
		t.Fatalf("a saw %d joins", j)
	}
	for _, m := range []*member{a, b} { // the name comes with the open or the beacon, whichever is first
		for _, ev := range m.events {
			if j, ok := ev.(room.Joined); ok && j.Name != "m" {
				t.Fatalf("joined with name %q", j.Name)
			}
		}
	}
	// A clean leave: b's Room says goodbye through the relay.
	if err := b.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	until(t, "a sees b leave", func() bool { return !hasPeer(a, b.ID()) }, a)
	for _, ev := range a.events {
		if l, ok := ev.(room.Left); ok && !errors.Is(l.Reason, room.ErrPeerLeft) {
			t.Fatalf("b left with %v", l.Reason)
		}
	}
}

// Groups, the last message of a group for a late joiner, and a work
// queue's exactly-once items run over the relay's streams as over TCP.
func TestRoomGroupsAndWorkOverRelay(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	a := newMember(t, s.ClientURL(), nil, nil)
	b := newMember(t, s.ClientURL(), nil, nil)
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	if err := b.JoinGroup("g"); err != nil {
		t.Fatal(err)
	}
	until(t, "b is a member", func() bool { return len(a.Members("g")) == 1 }, a, b)
	if err := a.Publish("g", &note{S: "last"}); err != nil {
		t.Fatal(err)
	}
	// A late joiner gets the last message of the group.
	c := newMember(t, s.ClientURL(), nil, nil)
	until(t, "c joins", func() bool { return hasPeer(c, a.ID()) && hasPeer(c, b.ID()) }, a, b, c)
	if err := c.JoinGroup("g"); err != nil {
		t.Fatal(err)
	}
	until(t, "c gets the last message", func() bool { return len(c.notes()) == 1 }, a, b, c)
	if c.notes()[0] != "last" || len(b.notes()) != 1 {
		t.Fatalf("c got %q, b %q", c.notes(), b.notes())
	}
	// Work: 200 items, two consumers: each item reaches exactly one.
	const n = 200
	for i := range n {
		if err := a.Produce("w", &note{S: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	items := func(m *member) int {
		k := 0
		for _, ev := range m.events {
			if it, ok := ev.(room.Item); ok {
				k++
				_ = it
			}
		}
		return k
	}
	for _, m := range []*member{b, c} {
		if err := m.Notify("w", n); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "all items handed out", func() bool { return items(b)+items(c) == n }, a, b, c)
	for _, m := range []*member{b, c} {
		for _, ev := range m.events {
			if it, ok := ev.(room.Item); ok {
				got[it.Msg.(*note).S]++
			}
		}
	}
	for i := range n {
		if got[fmt.Sprint(i)] != 1 {
			t.Fatalf("item %d delivered %d times", i, got[fmt.Sprint(i)])
		}
	}
}

// A Room with an unreachable server fails New with ErrConnect.
func TestRoomRelayUnreachable(t *testing.T) {
	leakcheck.Check(t)
	rl, err := New(&Config{URL: "nats://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = room.New(context.Background(), &room.Config{Transports: []room.Transport{rl}})
	if !errors.Is(err, ErrConnect) {
		t.Fatalf("New: %v", err)
	}
}
