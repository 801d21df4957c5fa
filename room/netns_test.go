//go:build linux

package room

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
	"github.com/cablecar-go/cablecar/messenger"
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
	Name        string
	Interval    time.Duration
	PeerTimeout time.Duration // zero: the room's default
	Invite      bool
	Code        string
	Password    string

	// Forger mode (no room), when Forge is set: send records of kind
	// Kind ("goodbye", the default, or "beacon") claiming each id of
	// Forge, with the TCP port Port, to Broadcast, Rate per second each,
	// for ForgeFor; bounded in count and time, inside its namespace only.
	Forge     []uint64
	Kind      string
	Port      uint16
	Broadcast string
	Rate      int
	ForgeFor  time.Duration
	// Stranger: before forging, listen on TCP and answer each
	// connection's identify exchange as Forge[0] (printing "DIALED"), then
	// run a plain Messenger hello as Forge[0] on it (printing "ADMITTED"
	// when that works) and hold it; forged beacons carry its port. The forger then stays up
	// until its stdin closes.
	Stranger bool
	// DialAs: after forging, dial DialAs (a room's TCP address) Dials
	// times (printing "DIALT" each time), each with an identify hello
	// claiming Forge[0] to the room DialTo and then a plain Messenger
	// hello as Forge[0] (as Stranger), held DialHold.
	DialAs   string
	DialTo   uint64
	Dials    int
	DialHold time.Duration
}

// forge is the forger child.
func forge(cc roomChildConfig) int {
	to, err := netip.ParseAddrPort(cc.Broadcast)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forger:", err)
		return 2
	}
	as := PeerID(cc.Forge[0])
	kind := byte(kindGoodbye)
	if cc.Kind == "beacon" {
		kind = kindBeacon
	}
	port := cc.Port
	if cc.Stranger {
		ln, err := net.ListenTCP("tcp4", nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "forger:", err)
			return 1
		}
		defer ln.Close()
		port = uint16(ln.Addr().(*net.TCPAddr).Port)
		go stranger(ln, as, port) // ends with the process
		fmt.Printf("STRANGER %d\n", port)
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
			if _, err := c.WriteToUDPAddrPort(forgedRecord(kind, PeerID(id), port, netnsAppID, "x"), to); err != nil {
				fmt.Fprintln(os.Stderr, "forger:", err)
				return 1
			}
			n++
		}
		time.Sleep(time.Second / time.Duration(cc.Rate)) // pacing the forgery, not a synchronisation
	}
	for range cc.Dials {
		d, err := net.DialTimeout("tcp4", cc.DialAs, time.Second)
		if err != nil {
			fmt.Fprintln(os.Stderr, "forger:", err)
			return 1
		}
		_ = d.SetDeadline(time.Now().Add(cc.DialHold))
		hello := forgedRecord(kindHello, as, port, netnsAppID, "x")
		hello = binary.BigEndian.AppendUint64(hello, cc.DialTo)
		fmt.Println("DIALT")
		if _, err := d.Write(frame(hello)); err == nil && skipFrame(d) == nil {
			impersonate(d, as, cc.DialHold)
		}
		d.Close()
	}
	fmt.Printf("FORGED %d\n", n)
	if cc.Stranger {
		_, _ = io.Copy(io.Discard, os.Stdin)
	}
	return 0
}

// stranger accepts connections on ln and answers the identify exchange
// as the peer id it impersonates (its own TCP port in the reply), then
// reads what follows and answers nothing.
func stranger(ln *net.TCPListener, as PeerID, port uint16) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		fmt.Println("DIALED")
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(3 * time.Second))
			if skipFrame(c) != nil {
				return
			}
			if _, err := c.Write(frame(forgedRecord(kindAccept, as, port, netnsAppID, "evil"))); err != nil {
				return
			}
			impersonate(c, as, 3*time.Second)
		}()
	}
}

// skipFrame reads one identify frame and drops it.
func skipFrame(c net.Conn) error {
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return err
	}
	_, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(hdr[:])))
	return err
}

// impersonate runs a plain Messenger hello as as on c (what a stranger
// without the password can do), prints "ADMITTED" when the other side
// takes it, and then pumps the connection for hold.
func impersonate(c net.Conn, as PeerID, hold time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), hold)
	defer cancel()
	m, err := messenger.New(ctx, c, newCodec(), &messenger.Options{AppID: netnsAppID, PeerID: uint64(as)})
	if err != nil {
		return
	}
	defer m.Close()
	fmt.Println("ADMITTED")
	for ctx.Err() == nil && m.Xfer() == nil {
		for m.Get() != nil {
		}
		time.Sleep(10 * time.Millisecond) // a frame of the stranger's pump
	}
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
		Interval: cc.Interval, PeerTimeout: cc.PeerTimeout,
		Invite: cc.Invite, Code: cc.Code, Password: cc.Password,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer r.Close()
	fmt.Printf("READY %016x %v\n", uint64(r.ID()), r.Addr())
	// Commands on stdin: "peers" prints the room's peers; "freeze" stops
	// pumping the room for good (a frozen program: its connector still
	// beacons). The child ends when stdin closes.
	cmds := make(chan string)
	go func() { // ends with the process
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			cmds <- sc.Text()
		}
		close(cmds)
	}()
	frozen := false
	for {
		select {
		case cmd, ok := <-cmds:
			switch {
			case !ok:
				return 0
			case cmd == "freeze":
				frozen = true
			case cmd == "peers":
				ps := []string{"PEERS"}
				for _, p := range r.Peers() {
					ps = append(ps, fmt.Sprintf("%016x", uint64(p)))
				}
				fmt.Println(strings.Join(ps, " "))
			}
			continue
		default:
		}
		if frozen {
			time.Sleep(10 * time.Millisecond) // waiting for stdin's end, the room untouched
			continue
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
			why := "other"
			if errors.Is(ev.Reason, ErrPeerTimeout) {
				why = "timeout"
			}
			fmt.Printf("LEFT %016x %s %v\n", uint64(ev.Peer), why, ev.Reason)
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

// roomProc is a room child: its id (16 hex digits) and TCP port.
type roomProc struct {
	*netns.Proc
	id   string
	port uint16
}

// ID is the child room's id.
func (p *roomProc) ID() PeerID {
	id, _ := strconv.ParseUint(p.id, 16, 64)
	return PeerID(id)
}

func startRoomChild(t *testing.T, h *netns.Host, cc roomChildConfig) *roomProc {
	t.Helper()
	p := startForger(t, h, cc)
	ready := strings.Fields(p.WaitLine("READY ", 30*time.Second))
	ap, err := netip.ParseAddrPort(ready[2])
	if err != nil {
		t.Fatalf("%s: READY line %q: %v", cc.Name, ready, err)
	}
	return &roomProc{Proc: p, id: ready[1], port: ap.Port()}
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

// startForger starts the test binary as a child in h's namespace with
// the configuration cc: a room child, or a forger when cc.Forge is set.
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
