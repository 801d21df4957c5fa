package tests

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// faultTimeout is the peer timeout of the fault tests' rooms, with
// faultInterval between two pings.
const (
	faultInterval = 250 * time.Millisecond
	faultTimeout  = 1500 * time.Millisecond
)

// faultRooms starts n roompeer processes on loopback with the fault
// tests' timers and waits until each has want peers.
func faultRooms(t *testing.T, n, want int, extra ...string) []*roomProc {
	t.Helper()
	port := freeport.UDP(t)
	ps := make([]*roomProc, n)
	for i := range ps {
		args := append([]string{"-app", "tests/" + t.Name(), "-loopback", "-port", fmt.Sprint(port),
			"-interval", faultInterval.String(), "-timeout", faultTimeout.String()}, extra...)
		ps[i] = roomPeer(t, fmt.Sprint("room", i), args...)
	}
	for _, p := range ps {
		p.WaitCount("JOINED ", want, 30*time.Second)
	}
	return ps
}

// checkLeft waits until each of ps reports that gone left with kind, and
// checks that it took no longer than limit.
func checkLeft(t *testing.T, ps []*roomProc, gone *roomProc, kind string, since time.Time, limit time.Duration) {
	t.Helper()
	seen := waitLeft(t, ps, gone.id, since, limit+20*time.Second)
	for i, p := range ps {
		if l := p.linesWith("LEFT " + gone.id + " ")[0]; l != "LEFT "+gone.id+" "+kind {
			t.Errorf("%s: %q, want %s", p.id, l, kind)
		}
		if seen[i] > limit {
			t.Errorf("%s saw %s leave after %v, more than %v", p.id, gone.id, seen[i], limit)
		}
	}
	t.Logf("%s (%s) seen leaving after %v", gone.id, kind, seen)
}

// TestRoomProcessFaults: in a room of four processes found by discovery
// (which goes on running), one is killed with SIGKILL: the others see it
// leave with ErrPeerReset (its kernel closed its sockets) at once; one is
// frozen with SIGSTOP: the others see it leave with ErrPeerTimeout within
// the peer timeout (the bound allows twice that and slack, for a loaded
// machine).
// The same with OneToOne pairs, whose discovery has ended once they
// paired: only the room's own pings can notice the frozen peer.
func TestRoomProcessFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	// Seen at PeerTimeout and at most an Interval later; a loop that
	// stalls for more than an Interval (a loaded machine) counts every
	// peer as heard again (Room's forgive), so the bound allows twice the
	// peer timeout and slack (once 5.7 s, with the whole tree under -race).
	limit := 2*faultTimeout + 3*time.Second
	t.Run("discovery", func(t *testing.T) {
		ps := faultRooms(t, 4, 3)
		killed, frozen := ps[3], ps[2]
		now := time.Now()
		killed.Kill()
		checkLeft(t, ps[:3], killed, "reset", now, 2*time.Second)
		now = time.Now()
		frozen.signal(t, syscall.SIGSTOP)
		defer frozen.signal(t, syscall.SIGCONT)
		checkLeft(t, ps[:2], frozen, "timeout", now, limit)
	})
	t.Run("OneToOne", func(t *testing.T) {
		// Two pairs on one beacon port: each process pairs once.
		ps := faultRooms(t, 4, 1, "-one")
		partner := func(p *roomProc) *roomProc {
			id := p.WaitLine("JOINED ", time.Second)[len("JOINED "):]
			for _, o := range ps {
				if o.id == id {
					return o
				}
			}
			t.Fatalf("%s paired with a stranger %s", p.id, id)
			return nil
		}
		a := ps[0]
		b := partner(a)
		if partner(b) != a {
			t.Fatalf("%s and %s do not pair with each other", a.id, b.id)
		}
		var c, d *roomProc
		for _, o := range ps[1:] {
			if o != b && c == nil {
				c = o
			} else if o != b {
				d = o
			}
		}
		if partner(c) != d || partner(d) != c {
			t.Fatalf("%s and %s do not pair with each other", c.id, d.id)
		}
		// Discovery has ended: six beacon intervals later (a peer found by
		// discovery joins within two or three) nobody else joined.
		time.Sleep(6 * faultInterval) // the time in which another peer would join, not a synchronisation
		for _, p := range ps {
			if n := p.Count("JOINED "); n != 1 {
				t.Errorf("%s: %d peers joined, want 1", p.id, n)
			}
		}
		now := time.Now()
		b.signal(t, syscall.SIGSTOP)
		defer b.signal(t, syscall.SIGCONT)
		d.Kill()
		checkLeft(t, []*roomProc{c}, d, "reset", now, 2*time.Second)
		checkLeft(t, []*roomProc{a}, b, "timeout", now, limit)
	})
}
