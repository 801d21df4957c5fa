package relay

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// Two Rooms on the relay alone with the same Config.Password exchange
// messages, a group's message and a work item; a tap on every relay
// subject of the server never sees the marker they carry, nor the group's
// or the queue's name. Without a password the tap sees all three, so the
// tap works.
func TestRoomPasswordEndToEnd(t *testing.T) {
	const (
		marker = "MARKER-51c0de-room-move"
		group  = "grp-9d41e7"
		queue  = "wq-3b8f22"
	)
	for _, tc := range passwordCases {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			s := startServer(t, nil)
			tp := newTap(t, s.ClientURL())
			pw := func(c *room.Config) { c.Password = tc.password }
			a := newMember(t, s.ClientURL(), nil, pw)
			b := newMember(t, s.ClientURL(), nil, pw)
			until(t, "both see each other", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)

			const n = 20
			for i := range n {
				if err := a.Send(b.ID(), &note{S: fmt.Sprint(marker, " send ", i)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.JoinGroup(group); err != nil {
				t.Fatal(err)
			}
			until(t, "b is a member", func() bool { return len(a.Members(group)) == 1 }, a, b)
			if err := a.Publish(group, &note{S: marker + " group"}); err != nil {
				t.Fatal(err)
			}
			if err := a.Produce(queue, &note{S: marker + " item"}); err != nil {
				t.Fatal(err)
			}
			if err := b.Notify(queue, 1); err != nil {
				t.Fatal(err)
			}
			var item, grouped int
			until(t, "the notes, the group message and the item", func() bool {
				item, grouped = 0, 0
				for _, ev := range b.events {
					switch e := ev.(type) {
					case room.Item:
						if e.Group == queue && e.Msg.(*note).S == marker+" item" {
							item++
						}
					case room.Message:
						if e.Group == group && e.Msg.(*note).S == marker+" group" {
							grouped++
						}
					}
				}
				return len(b.notes()) == n+1 && item == 1 && grouped == 1
			}, a, b)
			for i, s := range b.notes()[:n] {
				if s != fmt.Sprint(marker, " send ", i) {
					t.Fatalf("note %d is %q", i, s)
				}
			}
			for _, m := range []*member{a, b} {
				if m.count(isJoined) != 1 {
					t.Fatalf("%d joins", m.count(isJoined))
				}
			}
			// Everything b received came through the server before b read
			// it; the tap's own flush makes sure it has read what the
			// server routed to it before that.
			if err := tp.nc.Flush(); err != nil {
				t.Fatal(err)
			}
			seen, subs := tp.all()
			if len(subs) < 2 { // presence and at least one peer subject
				t.Fatalf("the tap saw only %v", subs)
			}
			for _, secret := range []string{marker, group, queue} {
				if bytes.Contains(seen, []byte(secret)) != tc.visible {
					t.Errorf("%q visible to the server: %v, want %v (subjects %v)", secret, !tc.visible, tc.visible, subs)
				}
			}
		})
	}
}

// A Room with another password, or with none, meets a password room on
// the relay and never joins: each side gets a Rejected event (wrapping
// room.ErrWrongCode, or messenger.ErrBadHello against no password at all)
// and no Joined, and nothing sent reaches it.
func TestRoomWrongPasswordOverRelay(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	a := newMember(t, s.ClientURL(), nil, func(c *room.Config) { c.Password = "swordfish" })
	b := newMember(t, s.ClientURL(), nil, func(c *room.Config) { c.Password = "swordfish" })
	wrong := newMember(t, s.ClientURL(), nil, func(c *room.Config) { c.Password = "tuna" })
	none := newMember(t, s.ClientURL(), nil, nil)
	all := []*member{a, b, wrong, none}
	rejected := func(m *member, target error) bool {
		for _, ev := range m.events {
			if rj, ok := ev.(room.Rejected); ok && errors.Is(rj.Reason, target) {
				return true
			}
		}
		return false
	}
	until(t, "a and b join; the others are refused", func() bool {
		return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) &&
			rejected(wrong, room.ErrWrongCode) && rejected(a, room.ErrWrongCode) && rejected(b, room.ErrWrongCode) &&
			rejected(a, messenger.ErrBadHello) && rejected(b, messenger.ErrBadHello)
	}, all...)
	if err := a.SendAll(&note{S: "sealed"}); err != nil {
		t.Fatal(err)
	}
	until(t, "b gets the note", func() bool { return len(b.notes()) == 1 }, all...)
	pump(all...)
	for _, m := range []*member{wrong, none} {
		if j := m.count(isJoined); j != 0 || len(m.Peers()) != 0 || len(m.notes()) != 0 {
			t.Fatalf("an outsider has %d joins, peers %v, notes %q", j, m.Peers(), m.notes())
		}
	}
	for _, m := range []*member{a, b} {
		if j := m.count(isJoined); j != 1 || len(m.Peers()) != 1 {
			t.Fatalf("a member has %d joins, peers %v", j, m.Peers())
		}
	}
	// wrong and none met each other with no password on one side: that
	// is refused too, and neither holds the other.
	if hasPeer(wrong, none.ID()) || hasPeer(none, wrong.ID()) {
		t.Fatal("the outsiders joined each other")
	}
}
