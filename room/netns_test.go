//go:build linux

package room

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
	"golang.org/x/sys/unix"
)

// The test binary doubles as a room program for the network-namespace
// tests: with roomChildEnv set, TestMain runs roomChild instead of the
// tests. It prints one line per event on stdout and ends when its stdin
// closes.
const (
	roomChildEnv = "CABLECAR_ROOM_TEST_CHILD"
	parentNSEnv  = "CABLECAR_ROOM_TEST_PARENT_NETNS"
)

type roomChildConfig struct {
	Name     string
	Interval time.Duration
	Invite   bool
	Code     string
	Password string

	// Forger mode (no room): send goodbye beacons claiming each id of
	// Forge to Broadcast, Rate per second each, for ForgeFor.
	Forge     []uint64
	Broadcast string
	Rate      int
	ForgeFor  time.Duration
}

// forge is the forger child: bounded in count and time, inside its
// namespace only.
func forge(cc roomChildConfig) int {
	to, err := netip.ParseAddrPort(cc.Broadcast)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forger:", err)
		return 2
	}
	c, err := net.ListenUDP("udp4", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forger:", err)
		return 1
	}
	defer c.Close()
	rc, _ := c.SyscallConn()
	_ = rc.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1) })
	n := 0
	for end := time.Now().Add(cc.ForgeFor); time.Now().Before(end); {
		for _, id := range cc.Forge {
			if _, err := c.WriteToUDPAddrPort(forgedRecord(kindGoodbye, PeerID(id), 1, netnsAppID, "x"), to); err != nil {
				fmt.Fprintln(os.Stderr, "forger:", err)
				return 1
			}
			n++
		}
		time.Sleep(time.Second / time.Duration(cc.Rate)) // pacing the forgery, not a synchronisation
	}
	fmt.Printf("FORGED %d\n", n)
	return 0
}

const netnsAppID = "room-netns-test"

func runRoomChild() bool {
	v := os.Getenv(roomChildEnv)
	if v == "" {
		return false
	}
	os.Exit(roomChild(v))
	return true
}

func roomChild(v string) int {
	var cc roomChildConfig
	if err := json.Unmarshal([]byte(v), &cc); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	// Broadcast on a LAN only inside a namespace the test made.
	if ns, err := netns.Current(); err != nil || ns == os.Getenv(parentNSEnv) || os.Getenv(parentNSEnv) == "" {
		fmt.Fprintln(os.Stderr, "child: refusing to run outside a test network namespace")
		return 3
	}
	if len(cc.Forge) > 0 {
		return forge(cc)
	}
	r, err := New(context.Background(), &Config{
		AppID: netnsAppID, Codec: newCodec(), Name: cc.Name,
		Interval: cc.Interval, Invite: cc.Invite, Code: cc.Code, Password: cc.Password,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer r.Close()
	fmt.Printf("READY %016x\n", uint64(r.ID()))
	stop := make(chan struct{})
	go func() { // ends with the process
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
		}
		close(stop)
	}()
	for {
		select {
		case <-stop:
			return 0
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		ev, err := r.Recv(ctx)
		cancel()
		if err != nil {
			continue
		}
		switch ev := ev.(type) {
		case Invited:
			why := "first"
			switch {
			case errors.Is(ev.Reason, ErrWrongCode):
				why = "wrong"
			case errors.Is(ev.Reason, ErrCodeUsed):
				why = "used"
			case errors.Is(ev.Reason, ErrCodeExpired):
				why = "expired"
			}
			fmt.Printf("INVITED %s %s\n", why, ev.Code.Reveal())
		case Joined:
			fmt.Printf("JOINED %016x\n", uint64(ev.Peer))
		case Left:
			fmt.Printf("LEFT %016x %v\n", uint64(ev.Peer), ev.Reason)
		case Rejected:
			why := "other"
			switch {
			case errors.Is(ev.Reason, ErrWrongCode):
				why = "wrong"
			case errors.Is(ev.Reason, ErrNoHost):
				why = "nohost"
			}
			fmt.Printf("REJECTED %s\n", why)
		}
	}
}

type roomProc struct {
	*netns.Proc
	id string
}

func startRoomChild(t *testing.T, h *netns.Host, cc roomChildConfig) *roomProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cc)
	cmd := h.Command(context.Background(), exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), roomChildEnv+"="+string(b), parentNSEnv+"="+parent)
	p := netns.StartProc(t, cc.Name, cmd)
	ready := strings.Fields(p.WaitLine("READY ", 30*time.Second))
	return &roomProc{Proc: p, id: ready[1]}
}

// TestNetnsJoinCode: three "machines" on one virtual Ethernet segment, real
// subnet broadcast. A host invites; a joiner on another machine types the
// code and both see each other join; a third machine with the used code
// (a wrong one now) gets nothing, and the host's invitation is renewed
// with "someone tried a wrong code".
func TestNetnsJoinCode(t *testing.T) {
	leakcheck.Check(t)
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	var hs []*netns.Host
	for range 3 {
		hs = append(hs, lab.Host())
	}
	lab.Segment("10.236.0.0/24", hs...)
	const interval = 100 * time.Millisecond
	host := startRoomChild(t, hs[0], roomChildConfig{Name: "host", Interval: interval, Invite: true})
	first := strings.Fields(host.WaitLine("INVITED first ", 30*time.Second))[2]
	t0 := time.Now()
	j := startRoomChild(t, hs[1], roomChildConfig{Name: "joiner", Interval: interval, Code: first})
	j.WaitLine("JOINED "+host.id, 30*time.Second)
	host.WaitLine("JOINED "+j.id, 30*time.Second)
	t.Logf("joiner in %v after its start (process start included; interval %v)", time.Since(t0).Round(time.Millisecond), interval)
	second := strings.Fields(host.WaitLine("INVITED used ", 30*time.Second))[2]
	if second == first {
		t.Fatal("the code was not renewed after it admitted the joiner")
	}
	bad := startRoomChild(t, hs[2], roomChildConfig{Name: "intruder", Interval: interval, Code: first})
	bad.WaitLine("REJECTED wrong", 30*time.Second)
	third := strings.Fields(host.WaitLine("INVITED wrong ", 30*time.Second))[2]
	if third == second {
		t.Fatal("the code was not renewed after the wrong try")
	}
	// Let a few intervals pass: the intruder must not get in later.
	deadline := time.Now().Add(10 * interval)
	for time.Now().Before(deadline) {
		if host.Count("JOINED "+bad.id) != 0 || bad.Count("JOINED ") != 0 {
			t.Fatal("the intruder got in")
		}
		time.Sleep(interval) // watching for something that must not happen
	}
	if n := host.Count("INVITED wrong "); n != 1 {
		t.Fatalf("%d wrong tries, want 1 (the intruder gave up)", n)
	}
}

// TestNetnsForgedGoodbyes: two password rooms on two machines; a third
// machine forges goodbye beacons claiming both ids (20 a second each, for
// 2 s): nobody leaves, and the two still talk after it.
func TestNetnsForgedGoodbyes(t *testing.T) {
	leakcheck.Check(t)
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	var hs []*netns.Host
	for range 3 {
		hs = append(hs, lab.Host())
	}
	lab.Segment("10.237.0.0/24", hs...)
	const interval = 100 * time.Millisecond
	a := startRoomChild(t, hs[0], roomChildConfig{Name: "a", Interval: interval, Password: "swordfish"})
	b := startRoomChild(t, hs[1], roomChildConfig{Name: "b", Interval: interval, Password: "swordfish"})
	a.WaitLine("JOINED "+b.id, 30*time.Second)
	b.WaitLine("JOINED "+a.id, 30*time.Second)
	var ids []uint64
	for _, p := range []*roomProc{a, b} {
		var id uint64
		fmt.Sscanf(p.id, "%x", &id)
		ids = append(ids, id)
	}
	f := startForger(t, hs[2], roomChildConfig{Name: "forger", Forge: ids, Broadcast: "10.237.0.255:8224", Rate: 20, ForgeFor: 2 * time.Second})
	f.WaitLine("FORGED ", 30*time.Second)
	// A plain connector acts on a goodbye of a peer whose connection is
	// open PeerTimeout (1 s here) after the last one: watch three times
	// that.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		if n := a.Count("LEFT ") + b.Count("LEFT "); n != 0 {
			t.Fatalf("forged goodbyes dropped peers: %v %v", a.Lines(), b.Lines())
		}
		time.Sleep(interval) // watching for something that must not happen
	}
	// Still connected: a clean Close of a is a clean leave at b.
	a.CloseStdin()
	if l := b.WaitLine("LEFT "+a.id, 30*time.Second); !strings.Contains(l, "peer left") {
		t.Fatalf("b: %q, want a clean leave", l)
	}
}

func startForger(t *testing.T, h *netns.Host, cc roomChildConfig) *netns.Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cc)
	cmd := h.Command(context.Background(), exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), roomChildEnv+"="+string(b), parentNSEnv+"="+parent)
	return netns.StartProc(t, cc.Name, cmd)
}
