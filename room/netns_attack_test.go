//go:build linux

package room

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// Attacks on discovery by a forging stranger, each shown to fail against
// a secured room (a password here; a join code admits into the same
// password room). The victims and the forger are test-binary children on
// three "machines" (network namespaces) on one virtual Ethernet segment;
// the forgery is real subnet broadcast on that segment, bounded in count
// and time (roomChildConfig's Rate and ForgeFor), and never leaves the
// test's namespaces. The namespaces are removed when the test ends, passed
// or failed; where they cannot be made (not root, -short) the tests skip.

// attackInterval is the rooms' beacon interval in these tests.
const attackInterval = 100 * time.Millisecond

// attackLab builds three hosts on subnet (a, b and the forger at .1, .2,
// .3) and returns them with the segment's broadcast address and the
// rooms' beacon port.
func attackLab(t *testing.T, subnet string) (hosts []*netns.Host, broadcast string) {
	t.Helper()
	lab := netns.New(t)
	for range 3 {
		hosts = append(hosts, lab.Host())
	}
	lab.Segment(subnet+".0/24", hosts...)
	return hosts, fmt.Sprintf("%s.255:%d", subnet, connector.DefaultNativeUDPPort)
}

// attackPair starts rooms a and b (edited by edit) on hosts[0] and
// hosts[1] and waits until they have joined each other.
func attackPair(t *testing.T, hosts []*netns.Host, edit func(*roomChildConfig)) (a, b *roomProc) {
	t.Helper()
	ca := roomChildConfig{Name: "a", Interval: attackInterval}
	cb := roomChildConfig{Name: "b", Interval: attackInterval}
	edit(&ca)
	edit(&cb)
	a = startRoomChild(t, hosts[0], ca)
	b = startRoomChild(t, hosts[1], cb)
	a.WaitLine("JOINED "+b.id, 30*time.Second)
	b.WaitLine("JOINED "+a.id, 30*time.Second)
	return a, b
}

func withPassword(c *roomChildConfig) { c.Password = "swordfish" }

// watchAtMost fails t if more than n lines starting with prefix show up
// in any of ps within d (watching for something that must not happen).
func watchAtMost(t *testing.T, d time.Duration, prefix string, n int, ps ...*roomProc) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); {
		for _, p := range ps {
			if p.Count(prefix) > n {
				t.Fatalf("%s printed %q: %q", p.id, prefix, p.Lines())
			}
		}
		time.Sleep(attackInterval / 2) // watching, not a synchronisation
	}
}

// peersOf asks p for its peers and returns them.
func peersOf(p *roomProc) []string {
	n := p.Count("PEERS")
	p.Send("peers")
	return strings.Fields(p.WaitCount("PEERS", n+1, 30*time.Second)[n])[1:]
}

// TestAttackForgedGoodbye: goodbye beacons that claim both peers' ids (20
// a second each, for 2 s) drop nobody in a secured room, and the two
// still talk after it. Without security the same forgery drops them (the
// control: the forger works).
func TestAttackForgedGoodbye(t *testing.T) {
	leakcheck.Check(t)
	hosts, bcast := attackLab(t, "10.237.0")
	for _, secured := range []bool{false, true} {
		a, b := attackPair(t, hosts, func(c *roomChildConfig) {
			c.PeerTimeout = time.Second
			if secured {
				withPassword(c)
			}
		})
		f := startForger(t, hosts[2], roomChildConfig{Name: "forger", Forge: []uint64{uint64(a.ID()), uint64(b.ID())},
			Broadcast: bcast, Rate: 20, ForgeFor: 2 * time.Second})
		if !secured {
			// A plain connector acts on a goodbye of a peer whose
			// connection is open PeerTimeout after the last one.
			deadline := time.Now().Add(30 * time.Second)
			for a.Count("LEFT "+b.id)+b.Count("LEFT "+a.id) == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("control: forged goodbyes dropped nobody in a plain room; the forger does not work: %q %q", a.Lines(), b.Lines())
				}
				time.Sleep(attackInterval / 2) // polling the children's output
			}
			if err := f.Wait(30 * time.Second); err != nil {
				t.Fatal(err)
			}
			for _, p := range []*roomProc{a, b} {
				p.CloseStdin()
				if err := p.Wait(30 * time.Second); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		f.WaitLine("FORGED ", 30*time.Second)
		// Watch three PeerTimeouts after the last forged goodbye.
		watchAtMost(t, 3*time.Second, "LEFT ", 0, a, b)
		// Still connected: a clean Close of a is a clean leave at b.
		a.CloseStdin()
		if l := b.WaitLine("LEFT "+a.id, 30*time.Second); !strings.Contains(l, "peer left") {
			t.Fatalf("b: %q, want a clean leave", l)
		}
	}
}

// TestAttackStolenID: beacons claiming b's id with the stranger's port,
// and connections from the stranger claiming b's id, bring nobody into
// a's room: a never dials the stranger while b is connected, and what the
// stranger gets through (its own dials) fails the handshake.
func TestAttackStolenID(t *testing.T) {
	leakcheck.Check(t)
	const subnet = "10.238.0"
	hosts, bcast := attackLab(t, subnet)
	a, b := attackPair(t, hosts, withPassword)
	f := startForger(t, hosts[2], roomChildConfig{Name: "forger", Forge: []uint64{uint64(b.ID())}, Kind: "beacon", Stranger: true,
		Broadcast: bcast, Rate: 20, ForgeFor: time.Second,
		DialAs: fmt.Sprintf("%s.1:%d", subnet, a.port), DialTo: uint64(a.ID()),
		Dials: 2, DialHold: 2 * attackInterval})
	f.WaitLine("FORGED ", 30*time.Second)
	watchAtMost(t, 5*attackInterval, "LEFT ", 0, a, b)
	if got := peersOf(a); len(got) != 1 || got[0] != b.id {
		t.Fatalf("a's peers %v, want only b (%s)", got, b.id)
	}
	if n := f.Count("DIALT"); n != 2 {
		t.Fatalf("the stranger dialed a %d times, want 2", n)
	}
	if n := f.Count("DIALED"); n != 0 {
		t.Fatalf("a dialed the stranger %d times while b was connected", n)
	}
	if n := f.Count("ADMITTED"); n != 0 {
		t.Fatalf("a took the stranger's plain hello as b %d times", n)
	}
}

// TestAttackStolenIDAfterLoss: once b is gone, beacons with b's id and the
// stranger's port do make a dial the stranger, but its handshake fails:
// nothing is admitted. Without security the same stranger gets in as b
// (the control: the forger works).
func TestAttackStolenIDAfterLoss(t *testing.T) {
	leakcheck.Check(t)
	hosts, bcast := attackLab(t, "10.239.0")
	for _, secured := range []bool{false, true} {
		a, b := attackPair(t, hosts, func(c *roomChildConfig) {
			if secured {
				withPassword(c)
			}
		})
		b.CloseStdin()
		a.WaitLine("LEFT "+b.id, 30*time.Second)
		f := startForger(t, hosts[2], roomChildConfig{Name: "forger", Forge: []uint64{uint64(b.ID())}, Kind: "beacon", Stranger: true,
			Broadcast: bcast, Rate: 10, ForgeFor: 4 * time.Second})
		f.WaitLine("DIALED", 30*time.Second) // the forgery reaches a
		if !secured {
			f.WaitLine("ADMITTED", 30*time.Second)
			a.WaitCount("JOINED "+b.id, 2, 30*time.Second)
			f.CloseStdin()
			a.CloseStdin()
			for _, p := range []*netns.Proc{f, a.Proc, b.Proc} {
				if err := p.Wait(30 * time.Second); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		a.WaitLine("REJECTED ", 30*time.Second)
		f.WaitLine("FORGED ", 30*time.Second)
		watchAtMost(t, 3*attackInterval, "JOINED ", 1, a) // b's only
		if got := peersOf(a); len(got) != 0 {
			t.Fatalf("the stranger got in: %v", got)
		}
		if n := f.Count("ADMITTED"); n != 0 {
			t.Fatalf("a took the stranger's plain hello %d times", n)
		}
	}
}

// TestAttackFrozenPeerKeptAlive: beacons of a frozen peer (forged, one
// every Interval, plus the frozen program's own connector, which still
// beacons) do not keep it in the room: it leaves with ErrPeerTimeout.
func TestAttackFrozenPeerKeptAlive(t *testing.T) {
	leakcheck.Check(t)
	hosts, bcast := attackLab(t, "10.240.0")
	a, b := attackPair(t, hosts, func(c *roomChildConfig) { withPassword(c); c.PeerTimeout = time.Second })
	b.Send("freeze") // nobody pumps b from now on
	start := time.Now()
	startForger(t, hosts[2], roomChildConfig{Name: "forger", Forge: []uint64{uint64(b.ID())}, Kind: "beacon", Port: b.port,
		Broadcast: bcast, Rate: int(time.Second / attackInterval), ForgeFor: 10 * time.Second})
	l := a.WaitLine("LEFT "+b.id, 30*time.Second)
	if f := strings.Fields(l); len(f) < 3 || f[2] != "timeout" {
		t.Fatalf("frozen b: %q after %v, want ErrPeerTimeout", l, time.Since(start))
	}
	t.Logf("frozen peer dropped with ErrPeerTimeout after %v (PeerTimeout 1s)", time.Since(start).Round(time.Millisecond))
}
