//go:build linux

package connector

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// Lock-out attacks, each from a hostile host on a namespace LAN against a
// victim connector: a new real peer must still connect. The attacks are
// bounded (attackConfig.Duration, counts) and run only inside the test's
// namespaces.

const attackerEnv = "CABLECAR_CONNECTOR_TEST_ATTACKER"

// attackConfig drives the test binary as an attacker process.
type attackConfig struct {
	Mode      string // "beacons": fake-id beacons; "idle": identified idle connections; "slow": connections that never say hello
	AppID     string
	Broadcast string        // beacons: the subnet broadcast address and port
	Target    string        // idle, slow: the victim's TCP address
	TargetID  uint64        // idle: the victim's id
	Rate      int           // beacons, slow: per second
	Count     int           // idle: connections to hold
	Duration  time.Duration // the attack ends after this
}

func attackerMain(v string) int {
	var ac attackConfig
	if code := testpeer.Decode("attacker", v, &ac); code != 0 {
		return code
	}
	if code := testpeer.Confined("attacker"); code != 0 {
		return code
	}
	end := time.Now().Add(ac.Duration)
	var err error
	switch ac.Mode {
	case "beacons":
		err = attackBeacons(ac, end)
	case "idle":
		err = attackIdle(ac, end)
	case "slow":
		err = attackSlow(ac, end)
	default:
		err = fmt.Errorf("unknown mode %q", ac.Mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "attacker:", err)
		return 1
	}
	fmt.Println("DONE")
	return 0
}

// paced calls f rate times per second, in 10 ms steps, until end.
func paced(rate int, end time.Time, f func() error) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	start, n := time.Now(), 0
	for now := range t.C {
		if now.After(end) {
			return nil
		}
		for due := int(now.Sub(start).Seconds() * float64(rate)); n < due; n++ {
			if err := f(); err != nil {
				return err
			}
		}
	}
	return nil
}

func attackBeacons(ac attackConfig, end time.Time) error {
	lc := net.ListenConfig{Control: broadcastControl}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:0")
	if err != nil {
		return err
	}
	defer pc.Close()
	to := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(ac.Broadcast))
	fmt.Println("ATTACKING")
	// 2 × MaxPeers ids in turn: each fake peer is heard again well within
	// a PeerTimeout, so none of them falls silent.
	n := 0
	return paced(ac.Rate, end, func() error {
		n++
		r := record{kind: kindBeacon, id: PeerID(1<<63 | uint64(n%(2*MaxPeers)+1)), port: uint16(1024 + rand.IntN(60000)),
			app: []byte(ac.AppID), name: []byte("fake")}
		_, err := pc.WriteTo(appendRecord(nil, &r), to)
		return err
	})
}

func attackIdle(ac attackConfig, end time.Time) error {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	tried, accepted := 0, 0
	for time.Now().Before(end) && tried < 3*ac.Count {
		tried++
		c, err := net.DialTimeout("tcp4", ac.Target, time.Second)
		if err != nil {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		me := record{kind: kindBeacon, id: PeerID(rand.Uint64() | 1), port: 1, app: []byte(ac.AppID), name: []byte("idle")}
		_, err = c.Write(helloFrame(&me, PeerID(ac.TargetID)))
		var b []byte
		if err == nil {
			b, err = readFrame(c)
		}
		if err == nil {
			_, err = parseReply(b)
		}
		if err != nil || len(held) >= ac.Count {
			c.Close()
		} else {
			_ = c.SetDeadline(time.Time{})
			held = append(held, c)
			accepted++
		}
		if tried == ac.Count+64 {
			fmt.Printf("ATTACKING %d accepted of %d\n", accepted, tried)
		}
	}
	fmt.Printf("TRIED %d accepted %d\n", tried, accepted)
	time.Sleep(time.Until(end)) // hold what is held until the attack's end
	return nil
}

func attackSlow(ac attackConfig, end time.Time) error {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	start := time.Now()
	announced := false
	return paced(ac.Rate, end, func() error {
		if c, err := net.DialTimeout("tcp4", ac.Target, 100*time.Millisecond); err == nil {
			held = append(held, c) // never a word
		}
		if !announced && time.Since(start) > 3*time.Second { // beyond ConnTimeout: the slots are held
			announced = true
			fmt.Println("ATTACKING")
		}
		return nil
	})
}

// startAttacker runs the test binary as an attacker in host's namespace.
func startAttacker(t *testing.T, host *netns.Host, ac attackConfig) *netns.Proc {
	t.Helper()
	return testpeer.Start(t, host, "attacker", attackerEnv, ac)
}

const (
	victimID = 0xf000_0000_0000_0001 // above the real peer's: the real peer dials the victim
	realID   = 0x1000_0000_0000_0001
)

// lockoutLab builds victim (10.241.0.1), attacker (.2) and real peer (.3)
// hosts on one segment and starts the victim.
func lockoutLab(t *testing.T, victim childConfig) (v *child, vAddr netip.AddrPort, attacker, realHost *netns.Host) {
	t.Helper()
	lab := netns.New(t)
	hv, hx, hr := lab.Host(), lab.Host(), lab.Host()
	_, links := lab.Segment("10.241.0.0/24", hv, hx, hr)
	victim.ID = victimID
	v = startChild(t, hv, victim)
	f := strings.Fields(v.WaitLine("READY ", 30*time.Second))
	port := netip.MustParseAddrPort(f[2]).Port()
	return v, netip.AddrPortFrom(links[0].Addr.Addr(), port), hx, hr
}

// realPeerConnects starts the real peer and checks that the victim
// connects it within bound.
func realPeerConnects(t *testing.T, v *child, hr *netns.Host, cc childConfig, bound time.Duration) {
	t.Helper()
	cc.Name, cc.ID = "real", realID
	start := time.Now()
	r := startChild(t, hr, cc)
	deadline := start.Add(bound)
	for v.Connects(r.ID) == 0 || r.Connects(v.ID) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the real peer was not connected within %v of its start (victim: %d CONNECT lines for it, real peer: %d)",
				bound, v.Connects(r.ID), r.Connects(v.ID))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("the real peer was connected %v after its start", time.Since(start).Round(time.Millisecond))
}

// lockoutBound is how soon a real peer must be connected during an attack:
// the goal. Unhindered it takes tens of milliseconds, so a loaded machine
// has slack.
const lockoutBound = 3 * time.Second

func TestNetnsLockoutFakeBeacons(t *testing.T) {
	// 1000 fake-id beacons a second from 2048 ids, for a 4 s PeerTimeout:
	// twice MaxPeers fake peers that never fall silent.
	cc := netnsChildConfig(t, "victim")
	cc.Interval, cc.PeerTimeout = time.Second, 4*time.Second
	v, _, hx, hr := lockoutLab(t, cc)
	a := startAttacker(t, hx, attackConfig{Mode: "beacons", AppID: cc.AppID, Rate: 1000,
		Broadcast: fmt.Sprintf("10.241.0.255:%d", cc.UDPPort), Duration: 15 * time.Second})
	a.WaitLine("ATTACKING", 30*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for v.Heard(t) < 2000 { // the table would be full by now
		if time.Now().After(deadline) {
			t.Fatal("the victim heard fewer than 2000 fake beacons in 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rc := netnsChildConfig(t, "real")
	rc.Interval, rc.PeerTimeout = time.Second, 4*time.Second
	realPeerConnects(t, v, hr, rc, lockoutBound)
}

func TestNetnsLockoutIdleConnections(t *testing.T) {
	// 1024 connections that complete the identify exchange and then idle.
	cc := netnsChildConfig(t, "victim")
	cc.Interval, cc.PeerTimeout = time.Second, 4*time.Second
	v, vAddr, hx, hr := lockoutLab(t, cc)
	a := startAttacker(t, hx, attackConfig{Mode: "idle", AppID: cc.AppID, Target: vAddr.String(),
		TargetID: victimID, Count: MaxPeers, Duration: 20 * time.Second})
	a.WaitLine("ATTACKING", 30*time.Second)
	rc := netnsChildConfig(t, "real")
	rc.Interval, rc.PeerTimeout = 250*time.Millisecond, 4*time.Second
	realPeerConnects(t, v, hr, rc, lockoutBound)
}

func TestNetnsLockoutSlowIdentify(t *testing.T) {
	// 40 connections a second that never send a hello, each holding an
	// identify slot for ConnTimeout (2 s): all 32 slots stay taken. The
	// victim's long interval keeps it from dialing the real peer itself
	// (it would after 1.5 intervals), so the real peer's own dials must
	// get through.
	cc := netnsChildConfig(t, "victim")
	cc.Interval, cc.PeerTimeout, cc.ConnTimeout = 5*time.Second, 20*time.Second, 2*time.Second
	v, vAddr, hx, hr := lockoutLab(t, cc)
	a := startAttacker(t, hx, attackConfig{Mode: "slow", Target: vAddr.String(), Rate: 40, Duration: 15 * time.Second})
	a.WaitLine("ATTACKING", 30*time.Second)
	rc := netnsChildConfig(t, "real")
	rc.Interval, rc.PeerTimeout = 250*time.Millisecond, 4*time.Second
	realPeerConnects(t, v, hr, rc, lockoutBound)
}
