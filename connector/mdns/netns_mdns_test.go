//go:build linux

package mdns

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// mDNS is tested only inside network namespaces: its multicast must never
// leave on the machine's real interfaces.

func TestNetnsMDNSOnly(t *testing.T) {
	lab := netns.New(t)
	hm, ha, hb := lab.Host(), lab.Host(), lab.Host()
	lab.Segment("10.235.1.0/24", hm, ha)
	lab.Segment("10.235.2.0/24", hm, hb)
	cfg := func(name string) childConfig {
		cc := netnsChildConfig(t, name)
		cc.Only = true
		return cc
	}
	m := startChild(t, hm, cfg("multi"))
	a := startChild(t, ha, cfg("a"))
	b := startChild(t, hb, cfg("b"))
	// m finds a and b on its two interfaces, at the right addresses.
	if addr := m.ConnectAddr(t, a.ID); addr.Addr() != netip.MustParseAddr("10.235.1.2") {
		t.Errorf("multi sees a at %v", addr)
	}
	if addr := m.ConnectAddr(t, b.ID); addr.Addr() != netip.MustParseAddr("10.235.2.2") {
		t.Errorf("multi sees b at %v", addr)
	}
	a.WaitLine("CONNECT "+m.ID+" multi ", 10*time.Second)
	b.WaitLine("CONNECT "+m.ID+" multi ", 10*time.Second)

	// A stopped peer is dropped when its connection closes (the querier does
	// not listen for mDNS goodbyes; browsers do, see TestAvahiBrowse).
	a.Send("stop")
	a.WaitLine("STOPPED", 10*time.Second)
	m.WaitLine("DISCONNECT "+a.ID+" ", 10*time.Second)
	if r := m.Disconnects(a.ID); len(r) != 1 || r[0] != "eof" {
		t.Errorf("m dropped a with %v", r)
	}
}

func TestNetnsMDNSAndBroadcastDedupe(t *testing.T) {
	lab := netns.New(t)
	br := lab.Bridge()
	var kids []*child
	for i := range 3 {
		h := lab.Host()
		h.Attach(br, netip.MustParsePrefix(fmt.Sprintf("10.236.0.%d/24", i+1)))
		cc := netnsChildConfig(t, fmt.Sprintf("h%d", i+1))
		kids = append(kids, startChild(t, h, cc))
	}
	for _, a := range kids {
		for _, b := range kids {
			if a != b {
				a.WaitLine("CONNECT "+b.ID+" ", 30*time.Second)
			}
		}
	}
	// Found both ways, still one connection each, many beacons and mDNS
	// answers later: no second CONNECT, no DISCONNECT.
	for _, a := range kids {
		a.WaitHeard(t, 30)
	}
	for _, a := range kids {
		for _, b := range kids {
			if a != b && a.Connects(b.ID) != 1 {
				t.Errorf("%s connected %d times to %s", a.ID, a.Connects(b.ID), b.ID)
			}
		}
		if n := a.Count("DISCONNECT "); n != 0 {
			t.Errorf("%s: %d disconnects", a.ID, n)
		}
	}
}

func TestNetnsMDNSQuietAfterDiscovery(t *testing.T) {
	lab := netns.New(t)
	h1, h2, h3 := lab.Host(), lab.Host(), lab.Host()
	lab.Segment("10.237.0.0/24", h1, h2, h3)
	cc := netnsChildConfig(t, "short")
	cc.Only = true
	cc.Timeout = 500 * time.Millisecond // discovery ends, the connection stays
	short := startChild(t, h1, cc)
	cc.Name, cc.Timeout = "long", 0
	long := startChild(t, h2, cc)
	long.WaitLine("CONNECT "+short.ID+" ", 30*time.Second)
	short.WaitLine("ENDED", 30*time.Second)
	// Well after the end of short's discovery and several PeerTimeouts
	// (long keeps hearing third's answers), long still has short: the
	// responder stayed and answers "quiet".
	cc.Name = "third"
	third := startChild(t, h3, cc)
	long.WaitLine("CONNECT "+third.ID+" ", 30*time.Second)
	long.WaitHeard(t, 40) // 40 answers from third at 100 ms: 4 PeerTimeouts
	if r := long.Disconnects(short.ID); len(r) != 0 {
		t.Errorf("long dropped short: %v", r)
	}
	if third.Connects(short.ID) != 0 {
		t.Error("third connected to short after short's discovery ended")
	}
	// Quiet answers are not dialed: third dialed at most long.
	if d := third.Stats(t)[1]; d > 1 {
		t.Errorf("third made %d dials; short's quiet answers were dialed", d)
	}
}

// A host whose link comes up after it started is found by mDNS at once,
// not at the next interface poll (set to an hour here).
func TestNetnsMDNSLinkComesBack(t *testing.T) {
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	_, links := lab.Segment("10.242.0.0/24", h1, h2)
	cc := netnsChildConfig(t, "h1")
	cc.Only, cc.Refresh = true, time.Hour
	up := testpeer.LinkComesBack(links[1], h1, h2, func(h *netns.Host, name string) *child {
		cc.Name = name
		return startChild(t, h, cc)
	})
	t.Logf("connected by mDNS %v after the link came up (interface poll: 1h)", time.Since(up).Round(time.Millisecond))
}
