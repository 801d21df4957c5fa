package room

import (
	"slices"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestGroups: Publish reaches the members of a group and nobody else;
// LeaveGroup takes a member out; a member that joins later receives the
// last message published to the group.
func TestGroups(t *testing.T) {
	leakcheck.Check(t)
	ms := lan(t, 4)
	a, b, c, d := ms[0], ms[1], ms[2], ms[3]
	for _, m := range []*member{a, b} {
		if err := m.JoinGroup("red"); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "c to see a and b in red", func() bool {
		got := c.Members("red")
		return len(got) == 2 && slices.Contains(got, a.ID()) && slices.Contains(got, b.ID())
	}, ms...)
	if err := c.Publish("red", &note{S: "r1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SendAll(&note{S: "after"}); err != nil {
		t.Fatal(err)
	}
	// Every room gets "after"; a and b get r1 first, tagged red.
	got := map[*member][]Message{}
	until(t, "the messages", func() bool {
		for _, m := range []*member{a, b, d} {
			got[m] = append(got[m], m.notes()...)
		}
		return len(got[a]) == 2 && len(got[b]) == 2 && len(got[d]) == 1
	}, ms...)
	for _, m := range []*member{a, b} {
		if g := got[m][0]; g.Group != "red" || g.Msg.(*note).S != "r1" || g.Peer != c.ID() {
			t.Errorf("member got %+v, want r1 in red from c", g)
		}
		if g := got[m][1]; g.Group != "" || g.Msg.(*note).S != "after" {
			t.Errorf("member got %+v, want the untagged SendAll after it", g)
		}
	}
	if g := got[d][0]; g.Group != "" || g.Msg.(*note).S != "after" {
		t.Errorf("non-member got %+v", g)
	}

	// b leaves red: the next publication reaches a only.
	if err := b.LeaveGroup("red"); err != nil {
		t.Fatal(err)
	}
	until(t, "c to see b leave red", func() bool { return len(c.Members("red")) == 1 }, ms...)
	if err := c.Publish("red", &note{S: "r2"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SendAll(&note{S: "marker"}); err != nil {
		t.Fatal(err)
	}
	clear(got)
	until(t, "r2 and the marker", func() bool {
		for _, m := range []*member{a, b, d} {
			got[m] = append(got[m], m.notes()...)
		}
		return len(got[a]) == 2 && len(got[b]) >= 1 && len(got[d]) >= 1
	}, ms...)
	if g := got[a][0]; g.Group != "red" || g.Msg.(*note).S != "r2" {
		t.Errorf("a got %+v, want r2", g)
	}
	if len(got[b]) != 1 || got[b][0].Msg.(*note).S != "marker" {
		t.Errorf("b, which left red, got %+v", got[b])
	}

	// d joins red late: it gets r2, c's last message to red, and nothing
	// from the rooms that never published there.
	if err := d.JoinGroup("red"); err != nil {
		t.Fatal(err)
	}
	clear(got)
	until(t, "d to get red's last message", func() bool {
		got[d] = append(got[d], d.notes()...)
		return len(got[d]) == 1
	}, ms...)
	if g := got[d][0]; g.Group != "red" || g.Msg.(*note).S != "r2" || g.Peer != c.ID() {
		t.Errorf("late member got %+v, want r2 in red from c", g)
	}
	if slices.Contains(d.Groups(), "red") != true {
		t.Errorf("Groups %v lacks red", d.Groups())
	}
}

// TestGroupsOfNewPeer: a room that joins after the groups were formed
// learns them, and receives the last message of the groups it is in.
func TestGroupsOfNewPeer(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	if err := srv.Publish("news", &note{S: "headline"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.JoinGroup("news"); err != nil {
		t.Fatal(err)
	}
	late := dialer(t, srv.Addr().String())
	if err := late.JoinGroup("news"); err != nil { // before it has any peer
		t.Fatal(err)
	}
	var got []Message
	until(t, "the late room to get the headline and see srv in news", func() bool {
		got = append(got, late.notes()...)
		return len(got) == 1 && slices.Contains(late.Members("news"), srv.ID())
	}, srv, late)
	if got[0].Group != "news" || got[0].Msg.(*note).S != "headline" {
		t.Errorf("got %+v", got[0])
	}
}
