//go:build linux

package connector

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// The doctor in broken network-namespace LANs: each test builds one
// broken setup and checks that the doctor, run as a child process inside
// a namespace host, names the cause.

const doctorEnv = "CABLECAR_CONNECTOR_TEST_DOCTOR"

// doctorChild drives the test binary as a doctor ("diagnose"), a process
// holding a UDP port without sharing it ("hold"), or a sender of fixed
// datagrams ("send").
type doctorChild struct {
	Mode       string
	AppID      string
	Compat     bool
	Interfaces []string
	UDPPort    int
	To         string   // send: broadcast address and port
	Payloads   []string // send: hex datagrams, sent in turn every 50ms (at most 400)
}

func init() {
	if v := os.Getenv(doctorEnv); v != "" {
		os.Exit(doctorMain(v))
	}
}

func doctorMain(v string) int {
	var dc doctorChild
	if code := testpeer.Decode("doctor", v, &dc); code != 0 {
		return code
	}
	if code := testpeer.Confined("doctor"); code != 0 {
		return code
	}
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "doctor:", err); return 1 }
	switch dc.Mode {
	case "diagnose":
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rep, err := Diagnose(ctx, &BroadcastConfig{AppID: dc.AppID, Compat: dc.Compat, Interfaces: dc.Interfaces,
			UDPPort: dc.UDPPort, Interval: 100 * time.Millisecond})
		if err != nil {
			return fail(err)
		}
		for _, f := range rep.Findings {
			b, _ := json.Marshal(wireFinding{f.Severity, f.Check, f.Message, f.Advice, sentinelName(f.Err)})
			fmt.Printf("FINDING %s\n", b)
		}
		fmt.Println("DONE")
	case "connect":
		c, err := NewBroadcastConnector(&BroadcastConfig{AppID: dc.AppID, Interfaces: dc.Interfaces, Interval: 100 * time.Millisecond})
		if err != nil {
			return fail(err)
		}
		defer c.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		_, err = c.Connect(ctx)
		var names []string
		for name, s := range doctorSentinels {
			if errors.Is(err, s) {
				names = append(names, name)
			}
		}
		fmt.Printf("PROGRESS %s\n", c.Progress().Line(time.Second))
		fmt.Printf("CONNECT_ERR %v %s\n", errors.Is(err, context.DeadlineExceeded), strings.Join(names, ","))
		fmt.Printf("ERR %v\n", err)
	case "peerdisc":
		c, err := NewBroadcastConnector(&BroadcastConfig{AppID: dc.AppID, Interval: 100 * time.Millisecond})
		if err != nil {
			return fail(err)
		}
		defer c.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := c.Start(ctx); err != nil {
			return fail(err)
		}
		for ctx.Err() == nil {
			for _, p := range c.Peers() {
				if pd, ok := c.PeerDiscovery(p.ID); ok && pd.Expected == qualitySlots {
					fmt.Printf("PEERDISC %s %s %v %s\n", pd.First, pd.Paths, pd.Quality > 0.5, pd.Interface)
					return 0
				}
			}
			time.Sleep(20 * time.Millisecond) // polling for the condition, bounded by ctx
		}
		return fail(ctx.Err())
	case "hold":
		pc, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", dc.UDPPort)) // no SO_REUSEADDR
		if err != nil {
			return fail(err)
		}
		defer pc.Close()
		fmt.Println("READY")
		bufio.NewScanner(os.Stdin).Scan() // until stdin ends
	case "send":
		lc := net.ListenConfig{Control: broadcastControl}
		pc, err := lc.ListenPacket(context.Background(), "udp4", ":0")
		if err != nil {
			return fail(err)
		}
		defer pc.Close()
		to, err := net.ResolveUDPAddr("udp4", dc.To)
		if err != nil {
			return fail(err)
		}
		fmt.Println("READY")
		for i := range 400 {
			b, _ := hex.DecodeString(dc.Payloads[i%len(dc.Payloads)])
			if _, err := pc.WriteTo(b, to); err != nil {
				return fail(err)
			}
			time.Sleep(50 * time.Millisecond) // the send rate, not synchronisation
		}
	default:
		return fail(fmt.Errorf("unknown mode %q", dc.Mode))
	}
	return 0
}

// wireFinding is a Finding on the child's stdout.
type wireFinding struct {
	Severity Severity
	Check    string
	Message  string
	Advice   string
	Err      string
}

var doctorSentinels = map[string]error{
	"ErrNoInterface": ErrNoInterface, "ErrNoSuchInterface": ErrNoSuchInterface, "ErrSendFailed": ErrSendFailed,
	"ErrPortInUse": ErrPortInUse, "ErrNoEcho": ErrNoEcho, "ErrFirewall": ErrFirewall, "ErrForeignApp": ErrForeignApp,
	"ErrOtherVersion": ErrOtherVersion, "ErrCompatPeer": ErrCompatPeer, "ErrGarbage": ErrGarbage, "ErrMDNS": ErrMDNS,
	"ErrNobodyHeard": ErrNobodyHeard, "ErrNoConnection": ErrNoConnection,
}

func sentinelName(err error) string {
	for name, s := range doctorSentinels {
		if err != nil && errors.Is(err, s) {
			return name
		}
	}
	return ""
}

// runDoctor runs the doctor in h and returns its report (with the
// sentinels restored).
func runDoctor(t *testing.T, h *netns.Host, dc doctorChild) *Report {
	t.Helper()
	dc.Mode = "diagnose"
	p := testpeer.Start(t, h, "doctor", doctorEnv, dc)
	p.WaitLine("DONE", 30*time.Second)
	rep := &Report{}
	for _, l := range p.Lines() {
		js, ok := strings.CutPrefix(l, "FINDING ")
		if !ok {
			continue
		}
		var w wireFinding
		if err := json.Unmarshal([]byte(js), &w); err != nil {
			t.Fatal(err)
		}
		rep.Findings = append(rep.Findings, Finding{Severity: w.Severity, Check: w.Check, Message: w.Message, Advice: w.Advice, Err: doctorSentinels[w.Err]})
	}
	t.Logf("report in %s:\n%v", h.NS, rep)
	return rep
}

// wantCause checks that rep is not OK and has a finding for cause whose
// message contains text.
func wantCause(t *testing.T, rep *Report, cause error, text string) {
	t.Helper()
	if rep.OK() {
		t.Errorf("report is OK")
	}
	for _, f := range rep.Findings {
		if f.Severity >= SevWarn && errors.Is(f.Err, cause) && strings.Contains(f.Message, text) {
			return
		}
	}
	t.Errorf("no finding for %v with %q", cause, text)
}

func doctorApp(t *testing.T) string { return "doctor/" + t.Name() }

func TestNetnsDoctorHealthyLAN(t *testing.T) {
	leakcheck.Check(t)
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	lab.Segment("10.241.0.0/24", h1, h2)
	cc := netnsChildConfig(t, "friend")
	cc.AppID = doctorApp(t)
	startChild(t, h2, cc)
	rep := runDoctor(t, h1, doctorChild{AppID: cc.AppID})
	if !rep.OK() {
		t.Errorf("a healthy LAN gets findings:\n%v", rep)
	}
	s := rep.String()
	// PeerDiscovery names the interface the friend was heard on.
	pd := testpeer.Start(t, h1, "peerdisc", doctorEnv, doctorChild{Mode: "peerdisc", AppID: cc.AppID})
	if l := pd.WaitLine("PEERDISC ", 30*time.Second); l != "PEERDISC broadcast broadcast true eth0" {
		t.Errorf("PeerDiscovery: %q", l)
	}
	for _, w := range []string{"eth0: beacons go to 10.241.0.255 (10.241.0.1/24)", "eth0: our own beacon to 10.241.0.255:8224 came back",
		"peer friend (", "at 10.241.0.2", "lo skipped: loopback"} {
		if !strings.Contains(s, w) {
			t.Errorf("report lacks %q", w)
		}
	}
}

func TestNetnsDoctorNoInterface(t *testing.T) {
	leakcheck.Check(t)
	lab := netns.New(t)
	bare, down := lab.Host(), lab.Host()
	_, links := lab.Segment("10.242.0.0/24", down)
	links[0].SetUp(false)
	rep := runDoctor(t, bare, doctorChild{AppID: doctorApp(t)})
	wantCause(t, rep, ErrNoInterface, "no usable interface")
	rep = runDoctor(t, down, doctorChild{AppID: doctorApp(t)})
	wantCause(t, rep, ErrNoInterface, "no usable interface")
	if !strings.Contains(rep.String(), "eth0 skipped: down") {
		t.Error("the down interface is not named")
	}
	rep = runDoctor(t, bare, doctorChild{AppID: doctorApp(t), Interfaces: []string{"wlan0"}})
	wantCause(t, rep, ErrNoSuchInterface, `"wlan0", named in the Interfaces option, does not exist`)
}

func TestNetnsDoctorFirewall(t *testing.T) {
	leakcheck.Check(t)
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft (nftables) is not installed")
	}
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	lab.Segment("10.243.0.0/24", h1, h2)
	nft := func(args ...string) {
		t.Helper()
		if out, err := h1.Command(context.Background(), "nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v: %s", args, err, out)
		}
	}
	nft("add", "table", "inet", "fw")
	nft("add", "chain", "inet", "fw", "input", "{ type filter hook input priority 0; policy accept; }")
	nft("add", "rule", "inet", "fw", "input", "udp", "dport", "8224", "drop")
	cc := netnsChildConfig(t, "friend")
	cc.AppID = doctorApp(t)
	startChild(t, h2, cc)
	rep := runDoctor(t, h1, doctorChild{AppID: cc.AppID})
	wantCause(t, rep, ErrFirewall, "nftables inet fw input: rule handle")
	wantCause(t, rep, ErrNoEcho, "eth0: our own beacon to 10.243.0.255:8224 did not come back")
	if f, _ := rep.First(); !errors.Is(f.Err, ErrFirewall) {
		t.Errorf("first finding %v, want the firewall", f)
	}
}

func TestNetnsDoctorPortTaken(t *testing.T) {
	leakcheck.Check(t)
	lab := netns.New(t)
	h1 := lab.Host()
	lab.Segment("10.244.0.0/24", h1)
	holder := testpeer.Start(t, h1, "holder", doctorEnv, doctorChild{Mode: "hold", UDPPort: DefaultNativeUDPPort})
	holder.WaitLine("READY", 30*time.Second)
	rep := runDoctor(t, h1, doctorChild{AppID: doctorApp(t)})
	wantCause(t, rep, ErrPortInUse, "the beacon port udp 8224 cannot be bound")
	if s := rep.String(); !strings.Contains(s, "(pid ") {
		t.Errorf("the holding process is not named")
	}
}

func TestNetnsDoctorStrangers(t *testing.T) {
	leakcheck.Check(t)
	lab := netns.New(t)
	h1, h2, h3 := lab.Host(), lab.Host(), lab.Host()
	lab.Segment("10.245.0.0/24", h1, h2, h3)
	// h2: a peer of another application id.
	cc := netnsChildConfig(t, "stranger")
	cc.AppID = "another-game"
	startChild(t, h2, cc)
	// h3: beacons of protocol version 2, cable_car's BROADCAST on 8222, garbage.
	v2 := appendRecord(nil, &record{kind: kindBeacon, id: 99, port: 4000, app: []byte(doctorApp(t))})
	v2[4] = 2
	for _, s := range []doctorChild{
		{To: "10.245.0.255:8224", Payloads: []string{hex.EncodeToString(v2), hex.EncodeToString([]byte("GET / HTTP/1.0"))}},
		{To: "10.245.0.255:8222", Payloads: []string{hex.EncodeToString([]byte(compatBeacon))}},
	} {
		s.Mode = "send"
		testpeer.Start(t, h3, "sender", doctorEnv, s).WaitLine("READY", 30*time.Second)
	}
	rep := runDoctor(t, h1, doctorChild{AppID: doctorApp(t)})
	wantCause(t, rep, ErrForeignApp, `beacons of application "another-game" from 10.245.0.2`)
	wantCause(t, rep, ErrOtherVersion, "protocol version 2 from 10.245.0.3")
	wantCause(t, rep, ErrCompatPeer, `cable_car "BROADCAST" beacons from 10.245.0.3 on udp 8222`)
	wantCause(t, rep, ErrGarbage, "from 10.245.0.3 on udp 8224")
	if !rep.Has(ErrNobodyHeard) {
		t.Error("nobody of our application heard, but not said")
	}
	// In compat mode the BROADCAST sender is a peer; the native peer is the stranger.
	rep = runDoctor(t, h1, doctorChild{Compat: true})
	if !strings.Contains(rep.String(), "a cable_car peer (compat) at 10.245.0.3") {
		t.Error("compat: the cable_car peer is not reported")
	}
	wantCause(t, rep, ErrCompatPeer, "native cablecar beacons from 10.245.0.2 on udp 8224")
}

// connectErr runs Connect in h for 1.5 s with nobody to find and returns
// its CONNECT_ERR and PROGRESS lines.
func connectErr(t *testing.T, h *netns.Host, dc doctorChild) (errLine, progress string) {
	t.Helper()
	dc.Mode = "connect"
	p := testpeer.Start(t, h, "connect", doctorEnv, dc)
	errLine = p.WaitLine("CONNECT_ERR ", 30*time.Second)
	progress = p.WaitLine("PROGRESS ", time.Second)
	t.Logf("%s\n%s\n%s", progress, errLine, p.WaitLine("ERR ", time.Second))
	return errLine, progress
}

func TestNetnsConnectSaysWhy(t *testing.T) {
	leakcheck.Check(t)
	lab := netns.New(t)
	bare, h1, h2 := lab.Host(), lab.Host(), lab.Host()
	lab.Segment("10.247.0.0/24", h1, h2)
	if e, p := connectErr(t, bare, doctorChild{AppID: doctorApp(t)}); e != "CONNECT_ERR true ErrNoInterface" ||
		!strings.Contains(p, "looking for peers on no interface, 0 heard for 1s: connector: no usable interface") {
		t.Errorf("no interface: %q, %q", e, p)
	}
	if e, p := connectErr(t, h1, doctorChild{AppID: doctorApp(t)}); e != "CONNECT_ERR true ErrNobodyHeard" ||
		!strings.Contains(p, "looking for peers on eth0 (10.247.0.255), 0 heard for 1s: connector: no peer heard") {
		t.Errorf("alone: %q, %q", e, p)
	}
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft (nftables) is not installed")
	}
	for _, args := range [][]string{
		{"add", "table", "inet", "fw"},
		{"add", "chain", "inet", "fw", "input", "{ type filter hook input priority 0; }"},
		{"add", "rule", "inet", "fw", "input", "udp", "dport", "8224", "drop"},
	} {
		if out, err := h1.Command(context.Background(), "nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v: %s", args, err, out)
		}
	}
	if e, p := connectErr(t, h1, doctorChild{AppID: doctorApp(t)}); e != "CONNECT_ERR true ErrNoEcho" ||
		!strings.Contains(p, "none came back: a firewall probably drops udp 8224") {
		t.Errorf("firewall: %q, %q", e, p)
	}
	// An output rule: every send fails (EPERM), and the doctor says so too.
	for _, args := range [][]string{
		{"add", "table", "inet", "fw"},
		{"add", "chain", "inet", "fw", "output", "{ type filter hook output priority 0; }"},
		{"add", "rule", "inet", "fw", "output", "udp", "dport", "8224", "drop"},
	} {
		if out, err := h2.Command(context.Background(), "nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v: %s", args, err, out)
		}
	}
	if e, p := connectErr(t, h2, doctorChild{AppID: doctorApp(t)}); e != "CONNECT_ERR true ErrSendFailed" ||
		!strings.Contains(p, "connector: beacons cannot be sent: ") || !strings.Contains(p, "operation not permitted") {
		t.Errorf("output rule: %q, %q", e, p)
	}
	wantCause(t, runDoctor(t, h2, doctorChild{AppID: doctorApp(t)}), ErrSendFailed, "eth0: beacons to 10.247.0.255 cannot be sent")
}
