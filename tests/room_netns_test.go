package tests

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
)

const (
	nsInterval    = 200 * time.Millisecond
	nsPeerTimeout = 2 * time.Second
)

// netnsRooms starts a roompeer on each of n hosts of one segment
// (discovery by real subnet broadcast inside the lab) and waits until each
// has the n-1 others. It returns the processes and the hosts' links.
func netnsRooms(t *testing.T, n int, subnet string, extra ...string) ([]*roomProc, []*netns.Link) {
	t.Helper()
	lab := netns.New(t)
	br := lab.Bridge()
	ps := make([]*roomProc, n)
	links := make([]*netns.Link, n)
	for i := range n {
		h := lab.Host()
		links[i] = h.Attach(br, netip.MustParsePrefix(fmt.Sprintf(subnet, i+1)))
		args := append([]string{"-app", "tests/" + t.Name(), "-interval", nsInterval.String(), "-timeout", nsPeerTimeout.String()}, extra...)
		ps[i] = startRoom(t, fmt.Sprint("host", i+1), h.Command(t.Context(), bin("roompeer"), args...))
	}
	for _, p := range ps {
		p.WaitCount("JOINED ", n-1, 60*time.Second)
	}
	return ps, links
}

// waitLeft waits until each of ps prints that gone left, and returns how
// long after since each saw it (to within the 20 ms between two looks).
func waitLeft(t *testing.T, ps []*roomProc, gone string, since time.Time, timeout time.Duration) []time.Duration {
	t.Helper()
	seen := make([]time.Duration, len(ps))
	poll(t, timeout, "the peers to see "+gone+" leave", func() bool {
		all := true
		for i, p := range ps {
			if seen[i] == 0 && len(p.linesWith("LEFT "+gone+" ")) > 0 {
				seen[i] = time.Since(since)
			}
			all = all && seen[i] != 0
		}
		return all
	})
	return seen
}

// TestRoomNetnsEightHosts: eight hosts (network namespaces on one virtual
// Ethernet segment) form one room by subnet broadcast; hosts 1-4 join
// group red, 5-8 blue. Host 8's cable is pulled: the seven others see it
// leave by timeout (ErrPeerTimeout) within the peer timeout (the bound
// allows twice that and slack, for a loaded machine), and it sees them all
// leave.
// A message is published to blue while it is away. The cable goes back
// in: it joins every room again, its membership of blue is announced
// again, and it receives blue's last message, the one it missed.
func TestRoomNetnsEightHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	ps, links := netnsRooms(t, 8, "10.234.0.%d/24")
	red, blue := ps[:4], ps[4:]
	for _, p := range red {
		p.do(t, "join red")
	}
	for _, p := range blue {
		p.do(t, "join blue")
	}
	h1, h5, h8 := ps[0], ps[4], ps[7]
	h1.waitMembers(t, "blue", blue...)
	h8.waitMembers(t, "red", red...)
	h5.do(t, "pub blue b1")
	h8.WaitLine("MSG "+h5.id+" blue b1", 20*time.Second)

	pulled := time.Now()
	links[7].SetConnected(false)
	seen := waitLeft(t, ps[:7], h8.id, pulled, nsPeerTimeout+20*time.Second)
	limit := 2*nsPeerTimeout + 2*time.Second // see TestRoomProcessFaults
	for i, d := range seen {
		if d > limit {
			t.Errorf("host %d saw host 8 leave after %v, more than twice the peer timeout and 2 s of slack (%v)", i+1, d, limit)
		}
		if l := ps[i].linesWith("LEFT " + h8.id + " ")[0]; l != "LEFT "+h8.id+" timeout" {
			t.Errorf("host %d: %q, want a timeout", i+1, l)
		}
	}
	t.Logf("host 8 cut off: seen leaving after %v", seen)
	for _, p := range ps[:7] {
		if l := h8.WaitLine("LEFT "+p.id+" ", nsPeerTimeout+20*time.Second); l != "LEFT "+p.id+" timeout" {
			t.Errorf("host 8: %q, want a timeout", l)
		}
	}
	h1.waitMembers(t, "blue", blue[:3]...)
	h5.do(t, "pub blue b2") // while host 8 is away

	links[7].SetConnected(true)
	for _, p := range ps[:7] {
		p.WaitCount("JOINED "+h8.id, 2, 30*time.Second)
	}
	h8.WaitCount("JOINED ", 14, 30*time.Second)
	h1.waitMembers(t, "blue", blue...)
	h8.waitMembers(t, "red", red...)
	h8.WaitLine("MSG "+h5.id+" blue b2", 20*time.Second)
	if n := len(h8.linesWith("MSG " + h5.id + " blue ")); n != 2 {
		t.Errorf("host 8 got %d publications to blue, want b1 and b2: %v", n, h8.linesWith("MSG "))
	}
}

// TestRoomNetnsOneToOneCable: two OneToOne rooms on two hosts pair, and
// their discovery ends; then one host's cable is pulled. Each sees the
// other leave by timeout within the peer timeout (plus slack): the room's
// own pings watch the peer once beacons no longer do.
func TestRoomNetnsOneToOneCable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	ps, links := netnsRooms(t, 2, "10.235.0.%d/24", "-one")
	pulled := time.Now()
	links[1].SetConnected(false)
	limit := 2*nsPeerTimeout + 2*time.Second
	for i, p := range ps {
		other := ps[1-i]
		d := waitLeft(t, []*roomProc{p}, other.id, pulled, nsPeerTimeout+20*time.Second)[0]
		if l := p.linesWith("LEFT " + other.id + " ")[0]; l != "LEFT "+other.id+" timeout" {
			t.Errorf("host %d: %q, want a timeout", i+1, l)
		}
		if d > limit {
			t.Errorf("host %d saw its peer leave after %v, more than %v", i+1, d, limit)
		}
		t.Logf("host %d saw its cut-off peer leave after %v", i+1, d)
	}
}
