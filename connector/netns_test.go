//go:build linux

package connector

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// These tests run peers as child processes inside network namespaces on
// virtual bridges (see internal/netns), with real subnet broadcast and no
// Loopback option. Nothing is sent on the machine's own interfaces. They
// skip where namespaces cannot be made.

func netnsChildConfig(t *testing.T, name string) childConfig {
	return childConfig{
		Name: name, AppID: "netns/" + t.Name(), UDPPort: DefaultNativeUDPPort,
		Interval: 100 * time.Millisecond, PeerTimeout: time.Second,
	}
}

func TestNetnsSubnetBroadcast(t *testing.T) {
	lab := netns.New(t)
	br := lab.Bridge()
	const k = 3
	var kids []*child
	for i := range k {
		h := lab.Host()
		h.Attach(br, netip.MustParsePrefix(fmt.Sprintf("10.231.0.%d/24", i+1)))
		kids = append(kids, startChild(t, h, netnsChildConfig(t, fmt.Sprintf("h%d", i+1))))
	}
	for i, a := range kids {
		for j, b := range kids {
			if i == j {
				continue
			}
			addr := a.ConnectAddr(t, b.ID)
			if want := netip.MustParseAddr(fmt.Sprintf("10.231.0.%d", j+1)); addr.Addr() != want {
				t.Errorf("h%d sees h%d at %v, want %v", i+1, j+1, addr, want)
			}
		}
	}
	for i, a := range kids {
		a.Send("peers")
		if f := strings.Fields(a.WaitLine("PEERS ", 10*time.Second)); f[1] != fmt.Sprint(k-1) {
			t.Errorf("h%d: %v", i+1, f)
		}
	}
	for _, a := range kids {
		a.Send("stop")
	}
	for _, a := range kids {
		a.WaitLine("STOPPED", 10*time.Second)
	}
}

func TestNetnsTwoSubnets(t *testing.T) {
	lab := netns.New(t)
	hm, ha, hb := lab.Host(), lab.Host(), lab.Host()
	lab.Segment("10.232.1.0/24", hm, ha)
	lab.Segment("10.232.2.0/24", hm, hb)

	m := startChild(t, hm, netnsChildConfig(t, "multi"))
	a := startChild(t, ha, netnsChildConfig(t, "a"))
	b := startChild(t, hb, netnsChildConfig(t, "b"))
	if addr := m.ConnectAddr(t, a.ID); addr.Addr() != netip.MustParseAddr("10.232.1.2") {
		t.Errorf("multi sees a at %v", addr)
	}
	if addr := m.ConnectAddr(t, b.ID); addr.Addr() != netip.MustParseAddr("10.232.2.2") {
		t.Errorf("multi sees b at %v", addr)
	}
	a.WaitLine("CONNECT "+m.ID+" ", 10*time.Second)
	b.WaitLine("CONNECT "+m.ID+" ", 10*time.Second)
	// a and b are on separate segments: each knows only m.
	for _, c := range []*child{a, b} {
		c.Send("peers")
		if f := strings.Fields(c.WaitLine("PEERS ", 10*time.Second)); !slices.Equal(f[1:], []string{"1", m.ID}) {
			t.Errorf("%v", f)
		}
	}

	// The Interfaces option: m restricted to eth1 finds only b.
	cc := netnsChildConfig(t, "m-eth1")
	cc.Interfaces = []string{"eth1"}
	m.Send("stop")
	m.WaitLine("STOPPED", 10*time.Second)
	m2 := startChild(t, hm, cc)
	m2.WaitLine("CONNECT "+b.ID+" ", 30*time.Second)
	// Let several beacon intervals pass (b's reconnect proves beacons flow).
	b.WaitLine("CONNECT "+m2.ID+" ", 10*time.Second)
	m2.Send("peers")
	if f := strings.Fields(m2.WaitLine("PEERS ", 10*time.Second)); !slices.Equal(f[1:], []string{"1", b.ID}) {
		t.Errorf("m restricted to eth1: %v", f)
	}
	if m2.Connects(a.ID) != 0 || a.Connects(m2.ID) != 0 {
		t.Error("m restricted to eth1 connected to a")
	}
}

func TestNetnsLinkDown(t *testing.T) {
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	_, links := lab.Segment("10.233.0.0/24", h1, h2)
	link2 := links[1]
	p1 := startChild(t, h1, netnsChildConfig(t, "h1"))
	p2 := startChild(t, h2, netnsChildConfig(t, "h2"))
	testpeer.WaitConnected(p1, p2)

	start := time.Now()
	link2.SetConnected(false) // h2's cable pulled: no FIN, no goodbye
	p1.WaitLine("DISCONNECT "+p2.ID+" ", 30*time.Second)
	t.Logf("h1 dropped h2 %v after the link went down (PeerTimeout 1s)", time.Since(start).Round(10*time.Millisecond))
	if r := p1.Disconnects(p2.ID); len(r) != 1 || r[0] != "timeout" {
		t.Errorf("h1 dropped h2 with %v, want timeout", r)
	}
	p2.WaitLine("DISCONNECT "+p1.ID+" ", 30*time.Second)
	if r := p2.Disconnects(p1.ID); len(r) != 1 || r[0] != "timeout" {
		t.Errorf("h2 dropped h1 with %v, want timeout", r)
	}

	link2.SetConnected(true)
	p1.WaitCount("CONNECT "+p2.ID+" ", 2, 30*time.Second)
	p2.WaitCount("CONNECT "+p1.ID+" ", 2, 30*time.Second)
}

func TestNetnsNewInterfacePickedUp(t *testing.T) {
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	br, _ := lab.Segment("10.234.0.0/24", h1)
	cc := netnsChildConfig(t, "h1")
	cc.Refresh = 200 * time.Millisecond
	p1 := startChild(t, h1, cc)
	cc.Name = "h2"
	p2 := startChild(t, h2, cc) // only loopback so far: nowhere to beacon
	p2.Send("peers")
	if f := strings.Fields(p2.WaitLine("PEERS ", 10*time.Second)); f[1] != "0" {
		t.Fatalf("h2 without interface: %v", f)
	}
	h2.Attach(br, netip.MustParsePrefix("10.234.0.2/24"))
	testpeer.WaitConnected(p1, p2)
}
