//go:build linux

package connector

import (
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// A host whose interface comes up (after it started with the link down, or
// after the link went down while running) is connected again as soon as
// the kernel reports the change, not at the next interface poll: the poll
// is set to an hour here, so only the change notification can help.
func TestNetnsLinkComesBack(t *testing.T) {
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	_, links := lab.Segment("10.240.0.0/24", h1, h2)
	link2 := links[1]
	cc := netnsChildConfig(t, "h1")
	cc.Refresh = time.Hour
	p1 := startChild(t, h1, cc)
	link2.SetUp(false) // h2 starts with its link down: nowhere to beacon
	cc.Name = "h2"
	p2 := startChild(t, h2, cc)
	p2.Send("peers")
	if f := strings.Fields(p2.WaitLine("PEERS ", 10*time.Second)); f[1] != "0" {
		t.Fatalf("h2 with its link down: %v", f)
	}

	up := time.Now()
	link2.SetUp(true)
	testpeer.WaitConnected(p1, p2)
	t.Logf("connected %v after the link came up (interface poll: 1h)", time.Since(up).Round(time.Millisecond))

	// Down while running: both drop the other at PeerTimeout; up again:
	// connected again at once.
	link2.SetUp(false)
	p1.WaitLine("DISCONNECT "+p2.ID+" ", 30*time.Second)
	p2.WaitLine("DISCONNECT "+p1.ID+" ", 30*time.Second)
	up = time.Now()
	link2.SetUp(true)
	p1.WaitCount("CONNECT "+p2.ID+" ", 2, 30*time.Second)
	p2.WaitCount("CONNECT "+p1.ID+" ", 2, 30*time.Second)
	t.Logf("connected again %v after the link came back (interface poll: 1h)", time.Since(up).Round(time.Millisecond))
}

// The same with the default intervals (beacons every 1 s, interface poll
// every 5 s), to measure what a user sees; it asserts only that the peers
// connect, and logs how long it took (about the time of one dial).
func TestNetnsLinkComesBackDefaults(t *testing.T) {
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	_, links := lab.Segment("10.241.0.0/24", h1, h2)
	cc := childConfig{AppID: "netns/" + t.Name(), UDPPort: DefaultNativeUDPPort}
	up := testpeer.LinkComesBack(links[1], h1, h2, func(h *netns.Host, name string) *child {
		cc.Name = name
		return startChild(t, h, cc)
	})
	t.Logf("connected %v after the link came up (defaults: Interval 1s, InterfaceRefresh 5s)", time.Since(up).Round(time.Millisecond))
}
