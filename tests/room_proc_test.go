package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// loopbackRooms starts n roompeer processes that find each other on
// loopback, on a beacon port of the test's own, and waits until each has
// the n-1 others.
func loopbackRooms(t *testing.T, n int, extra ...string) []*roomProc {
	t.Helper()
	port := freeport.UDP(t)
	ps := make([]*roomProc, n)
	for i := range ps {
		args := append([]string{"-app", "tests/" + t.Name(), "-loopback", "-port", fmt.Sprint(port),
			"-interval", "50ms", "-timeout", "10s"}, extra...)
		ps[i] = roomPeer(t, fmt.Sprint("room", i), args...)
	}
	for _, p := range ps {
		p.WaitCount("JOINED ", n-1, 60*time.Second)
	}
	return ps
}

// TestRoomProcesses: 16 processes, one Room each, form one room on
// loopback: each sees the 15 others join, and a SendAll of each reaches
// the 15 others once. Groups: a publication reaches the members of its
// group and nobody else; a process that joins the group later receives
// the group's last message; a member's local queue keeps the newest
// (Newest), the oldest n (Pop) or everything (All).
func TestRoomProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 16 processes")
	}
	ps := loopbackRooms(t, 16)
	for _, p := range ps {
		p.Send("all hi")
	}
	for _, p := range ps {
		msgs := p.WaitCount("MSG ", 15, 30*time.Second)
		var from []string
		for _, m := range msgs {
			f := strings.Fields(m)
			if len(f) != 4 || f[2] != "-" || f[3] != "hi" || f[1] == p.id {
				t.Errorf("%s: %q", p.id, m)
			}
			from = append(from, f[1])
		}
		slices.Sort(from)
		if len(slices.Compact(from)) != 15 {
			t.Errorf("%s: SendAll from %d distinct peers, want 15: %v", p.id, len(from), msgs)
		}
	}

	// Groups: 0-3 red, 4-7 blue; 15 publishes to both.
	red, blue, pub := ps[0:4], ps[4:8], ps[15]
	for _, p := range red {
		p.do(t, "join red")
	}
	for _, p := range blue {
		p.do(t, "join blue")
	}
	pub.waitMembers(t, "red", red...)
	pub.waitMembers(t, "blue", blue...)
	pub.do(t, "pub red r1")
	pub.do(t, "pub blue b1")
	pub.do(t, "all mark") // after both publications on every stream
	for i, p := range ps[:15] {
		p.WaitLine("MSG "+pub.id+" - mark", 20*time.Second)
		want := map[string]int{}
		switch {
		case i < 4:
			want["MSG "+pub.id+" red r1"] = 1
		case i < 8:
			want["MSG "+pub.id+" blue b1"] = 1
		}
		got := map[string]int{}
		for _, l := range p.linesWith("MSG " + pub.id + " ") {
			if !strings.HasSuffix(l, " - mark") && !strings.HasSuffix(l, " - hi") {
				got[l]++
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("room %d got the publications %v, want %v", i, got, want)
		}
	}

	// A late member gets the last message of the group.
	late := ps[8]
	late.do(t, "join red")
	late.WaitLine("MSG "+pub.id+" red r1", 20*time.Second)
	late.do(t, "join blue")
	late.WaitLine("MSG "+pub.id+" blue b1", 20*time.Second)

	// The local queue of group "pos" (positions).
	q := ps[9]
	q.do(t, "join pos")
	pub.waitMembers(t, "pos", q)
	for _, s := range []string{"p1", "p2", "p3"} {
		pub.do(t, "pub pos "+s)
	}
	q.WaitLine("MSG "+pub.id+" pos p3", 20*time.Second)
	if got := q.ask(t, "newest", "QUEUE"); got != "QUEUE p3" {
		t.Errorf("newest: %q, want QUEUE p3", got)
	}
	for _, s := range []string{"p4", "p5", "p6"} {
		pub.do(t, "pub pos "+s)
	}
	q.WaitLine("MSG "+pub.id+" pos p6", 20*time.Second)
	if got := q.ask(t, "pop 2", "QUEUE"); got != "QUEUE p4 p5" {
		t.Errorf("pop 2: %q, want QUEUE p4 p5", got)
	}
	if got := q.ask(t, "all-queue", "QUEUE"); got != "QUEUE p6" {
		t.Errorf("all: %q, want QUEUE p6", got)
	}
	if got := q.ask(t, "newest", "QUEUE"); got != "QUEUE" {
		t.Errorf("newest of an empty queue: %q, want QUEUE", got)
	}
}
