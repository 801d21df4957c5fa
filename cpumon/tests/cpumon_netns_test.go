package tests

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// TestCpumonNetnsThreeHosts runs cpumon on three "hosts" (network
// namespaces on one virtual Ethernet segment) without -local, so discovery
// goes by real subnet broadcast: each shows the stats of the two others,
// from their addresses on the segment. Then one host's cable is pulled (it
// vanishes without a word, unlike a killed process whose kernel closes its
// connections): the two others report it gone by timeout, within the peer
// timeout and one sweep of the table, and go on seeing each other. The
// namespaces are removed when the test ends; it skips where they cannot be
// made.
func TestCpumonNetnsThreeHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	br := lab.Bridge()
	var ms []*monProc
	var ips []netip.Addr
	var links []*netns.Link
	for i := range 3 {
		h := lab.Host()
		lk := h.Attach(br, netip.MustParsePrefix(fmt.Sprintf("10.232.0.%d/24", i+1)))
		ips = append(ips, lk.Addr.Addr())
		links = append(links, lk)
		// Default beacon port: each namespace has its own.
		m := waitSelf(t, proctest.StartCmd(t, h.Command(t.Context(), proctest.Bin("cpumon"), "-json", "-interval", monInterval.String())))
		ms = append(ms, m)
	}
	checkAllSeeAll(t, ms)
	for i, m := range ms {
		for j, o := range ms {
			if i == j {
				continue
			}
			ev := m.waitEvent(t, "stats of the other host", statsFrom(o.self.Peer))
			addr, err := netip.ParseAddrPort(ev.Addr)
			if err != nil || addr.Addr() != ips[j] {
				t.Errorf("host %d sees host %d at %q, want %v", i+1, j+1, ev.Addr, ips[j])
			}
		}
	}

	pulled := time.Now()
	links[2].SetConnected(false)
	a, b, c := ms[0], ms[1], ms[2]
	for _, m := range []*monProc{a, b} {
		gone := m.waitEvent(t, "gone of the vanished host", goneOf(c.self.Peer))
		if gone.Reason != "timeout" {
			// Whichever of the Messenger's read (TCP_USER_TIMEOUT's
			// ETIMEDOUT), its pings and the connector's sweep notices the
			// silence first, it is a timeout, never "left" (the sweep's
			// peek once saw only the end of a stream whose error the read
			// had just taken: connector TestSweepAfterReadTookError).
			t.Errorf("vanished host gone with reason %q, want timeout", gone.Reason)
		}
		// The connector sweeps its table every beacon interval (1 s), so
		// the silence is seen at most a peer timeout and a sweep after the
		// pull; one more second is slack for a loaded machine.
		if d := gone.Time.Sub(pulled); d > monPeerTimeout+2*time.Second {
			t.Errorf("vanished host reported gone after %v, more than the peer timeout %v, a sweep and 1 s of slack", d, monPeerTimeout)
		}
		t.Logf("vanished host gone after %v", gone.Time.Sub(pulled))
	}
	a.waitEvent(t, "stats of b after c vanished", func(ev monEvent) bool {
		return statsFrom(b.self.Peer)(ev) && ev.Time.After(pulled.Add(monPeerTimeout))
	})
	checkNothingAfterGone(t, a, c.self.Peer)
	checkNothingAfterGone(t, b, c.self.Peer)
}

// TestCpumonNetnsMDNS runs cpumon -mdns on two "hosts" whose broadcast
// beacons use different UDP ports, so broadcast alone can never bring them
// together: each seeing the other's stats shows that mDNS found it.
func TestCpumonNetnsMDNS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	br := lab.Bridge()
	var ms []*monProc
	for i := range 2 {
		h := lab.Host()
		h.Attach(br, netip.MustParsePrefix(fmt.Sprintf("10.233.0.%d/24", i+1)))
		port := fmt.Sprint(18901 + i)
		ms = append(ms, waitSelf(t, proctest.StartCmd(t, h.Command(t.Context(), proctest.Bin("cpumon"),
			"-json", "-mdns", "-port", port, "-interval", monInterval.String()))))
	}
	for i, m := range ms {
		o := ms[1-i]
		m.waitEvent(t, "stats of the host found by mDNS", statsFrom(o.self.Peer))
	}
}
