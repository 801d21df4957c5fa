//go:build linux

package connector

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
)

// setLinkUp sets the host's own interface (not the cable) up or down.
func setLinkUp(t *testing.T, lk *netns.Link, up bool) {
	t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	if out, err := exec.Command("ip", "-n", lk.Host.NS, "link", "set", lk.Name, state).CombinedOutput(); err != nil {
		t.Fatalf("ip link set %s %s: %v: %s", lk.Name, state, err, out)
	}
}

// A host whose interface comes up (after it started with the link down, or
// after the link went down while running) is connected again as soon as
// the kernel reports the change, not at the next interface poll: the poll
// is set to an hour here, so only the change notification can help.
func TestNetnsLinkComesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	br := lab.Bridge()
	h1, h2 := lab.Host(), lab.Host()
	h1.Attach(br, netip.MustParsePrefix("10.240.0.1/24"))
	link2 := h2.Attach(br, netip.MustParsePrefix("10.240.0.2/24"))
	cc := netnsChildConfig(t, "h1")
	cc.Refresh = time.Hour
	p1 := startChild(t, h1, cc)
	setLinkUp(t, link2, false) // h2 starts with its link down: nowhere to beacon
	cc.Name = "h2"
	p2 := startChild(t, h2, cc)
	p2.Send("peers")
	if f := strings.Fields(p2.WaitLine("PEERS ", 10*time.Second)); f[1] != "0" {
		t.Fatalf("h2 with its link down: %v", f)
	}

	up := time.Now()
	setLinkUp(t, link2, true)
	p1.WaitLine("CONNECT "+p2.ID+" ", 30*time.Second)
	p2.WaitLine("CONNECT "+p1.ID+" ", 30*time.Second)
	t.Logf("connected %v after the link came up (interface poll: 1h)", time.Since(up).Round(time.Millisecond))

	// Down while running: both drop the other at PeerTimeout; up again:
	// connected again at once.
	setLinkUp(t, link2, false)
	p1.WaitLine("DISCONNECT "+p2.ID+" ", 30*time.Second)
	p2.WaitLine("DISCONNECT "+p1.ID+" ", 30*time.Second)
	up = time.Now()
	setLinkUp(t, link2, true)
	p1.WaitCount("CONNECT "+p2.ID+" ", 2, 30*time.Second)
	p2.WaitCount("CONNECT "+p1.ID+" ", 2, 30*time.Second)
	t.Logf("connected again %v after the link came back (interface poll: 1h)", time.Since(up).Round(time.Millisecond))
}

// The same with the default intervals (beacons every 1 s, interface poll
// every 5 s), to measure what a user sees; it asserts only that the peers
// connect, and logs how long it took (about the time of one dial).
func TestNetnsLinkComesBackDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	br := lab.Bridge()
	h1, h2 := lab.Host(), lab.Host()
	h1.Attach(br, netip.MustParsePrefix("10.241.0.1/24"))
	link2 := h2.Attach(br, netip.MustParsePrefix("10.241.0.2/24"))
	cc := childConfig{Name: "h1", AppID: "netns/" + t.Name(), UDPPort: DefaultNativeUDPPort}
	p1 := startChild(t, h1, cc)
	setLinkUp(t, link2, false)
	cc.Name = "h2"
	p2 := startChild(t, h2, cc)
	up := time.Now()
	setLinkUp(t, link2, true)
	p1.WaitLine("CONNECT "+p2.ID+" ", 30*time.Second)
	p2.WaitLine("CONNECT "+p1.ID+" ", 30*time.Second)
	t.Logf("connected %v after the link came up (defaults: Interval 1s, InterfaceRefresh 5s)", time.Since(up).Round(time.Millisecond))
}
