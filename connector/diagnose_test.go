package connector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func ifc(name string, flags net.Flags, addrs ...string) ifaceInfo {
	var as []net.Addr
	for _, a := range addrs {
		as = append(as, prefixAddr(netip.MustParsePrefix(a)))
	}
	return ifaceInfo{name: name, flags: flags, addrs: as}
}

// findings returns the messages of fs with severity sev.
func messages(fs []Finding, sev Severity) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == sev {
			out = append(out, f.Message)
		}
	}
	return out
}

func TestInterfaceFindings(t *testing.T) {
	leakcheck.Check(t)
	up := net.FlagUp | net.FlagBroadcast
	ifs := []ifaceInfo{
		ifc("lo", net.FlagUp|net.FlagLoopback, "127.0.0.1/8"),
		ifc("eth0", up, "10.0.0.5/24", "192.168.7.1/32"),
		ifc("eth1", net.FlagBroadcast, "10.1.0.5/24"),
		ifc("tun0", net.FlagUp|net.FlagPointToPoint, "10.8.0.2/24"),
		ifc("can0", net.FlagUp),
		ifc("eth2", up),
	}
	targets, fs := interfaceFindings(ifs, nil)
	if len(targets) != 1 || targets[0].iface != "eth0" || targets[0].to != netip.MustParseAddr("10.0.0.255") {
		t.Fatalf("targets %+v", targets)
	}
	want := map[string]string{
		"lo skipped: loopback": "", "eth0: beacons go to 10.0.0.255 (10.0.0.5/24)": "", "eth1 skipped: down": "",
		"tun0 skipped: point-to-point": "", "can0 skipped: not broadcast-capable": "", "eth2 skipped: no IPv4 address": "",
		"eth0: address 192.168.7.1/32 skipped": "",
	}
	for w := range want {
		found := false
		for _, f := range fs {
			found = found || strings.HasPrefix(f.Message, w)
		}
		if !found {
			t.Errorf("no finding %q in\n%v", w, (&Report{fs}).String())
		}
	}
	if r := (&Report{fs}); !r.OK() {
		t.Errorf("healthy interfaces not OK:\n%v", r)
	}

	// The Interfaces option: one filtered, one that does not exist, none left.
	targets, fs = interfaceFindings(ifs, []string{"eth1", "wlan9"})
	r := &Report{fs}
	if len(targets) != 0 || !r.Has(ErrNoInterface) || !r.Has(ErrNoSuchInterface) || r.OK() {
		t.Fatalf("targets %v, report\n%v", targets, r)
	}
	if !strings.Contains(r.String(), `"wlan9", named in the Interfaces option, does not exist`) ||
		!strings.Contains(r.String(), "eth0 skipped: not named in the Interfaces option") {
		t.Errorf("report:\n%v", r)
	}
	if err := r.Err(); !errors.Is(err, ErrNoInterface) || !errors.Is(err, ErrNoSuchInterface) {
		t.Errorf("Err() = %v", err)
	}
	if f, ok := r.First(); !ok || f.Severity != SevError {
		t.Errorf("First() = %v, %v", f, ok)
	}
}

func TestReportString(t *testing.T) {
	leakcheck.Check(t)
	r := &Report{Findings: []Finding{
		{Severity: SevOK, Check: "port", Message: "fine"},
		{Severity: SevWarn, Check: "echo", Message: "gone", Advice: "look", Err: ErrNoEcho},
	}}
	want := "ok    port      fine\nwarn  echo      gone -- look\n"
	if got := r.String(); got != want {
		t.Errorf("String() =\n%q, want\n%q", got, want)
	}
	if r.OK() || r.Worst() != SevWarn || !errors.Is(r.Err(), ErrNoEcho) || errors.Is(r.Err(), ErrFirewall) {
		t.Errorf("OK %v Worst %v Err %v", r.OK(), r.Worst(), r.Err())
	}
	if (&Report{}).Err() != nil {
		t.Error("empty report has an error")
	}
}

// diagnoseLoopback runs the doctor on loopback with fast timers.
func diagnoseLoopback(t *testing.T, cfg BroadcastConfig) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep, err := Diagnose(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%v", rep)
	return rep
}

func TestDiagnoseLoopbackClean(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	rep := diagnoseLoopback(t, cfg)
	if !rep.OK() {
		t.Fatalf("not OK:\n%v", rep)
	}
	s := rep.String()
	for _, w := range []string{"beacons go to 127.255.255.255", "our own beacon to 127.255.255.255", "can be bound", "no peer of application"} {
		if !strings.Contains(s, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if !rep.Has(ErrNobodyHeard) {
		t.Error("nobody heard is not reported")
	}
}

func TestDiagnoseLoopbackHears(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	cfg := loopbackConfig(t, port)
	startTestPeer(t, cfg, "friend")
	other := cfg
	other.AppID = "someone-else"
	startTestPeer(t, other, "stranger")
	// Garbage and another protocol version, sent on loopback only.
	// Broadcast: unicast would reach only one of the sockets sharing the port.
	lc := net.ListenConfig{Control: broadcastControl}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	junk := pc.(*net.UDPConn)
	to := netip.AddrPortFrom(loopbackBroadcast, uint16(port))
	v9 := appendRecord(nil, &record{kind: kindBeacon, id: 7, port: 1, app: []byte(cfg.AppID)})
	v9[4] = 9
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range 200 { // bounded
			junk.WriteToUDPAddrPort([]byte("hello, world"), to)
			junk.WriteToUDPAddrPort(v9, to)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	rep := diagnoseLoopback(t, cfg)
	cancel()
	<-done
	s := rep.String()
	for _, w := range []string{`peer friend (`, `beacons of application "someone-else" from 127.0.0.1`, "protocol version 9 from 127.0.0.1",
		"datagrams that are no beacon from 127.0.0.1"} {
		if !strings.Contains(s, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, e := range []error{ErrForeignApp, ErrOtherVersion, ErrGarbage} {
		if !rep.Has(e) || !errors.Is(rep.Err(), e) {
			t.Errorf("no finding for %v", e)
		}
	}
	if rep.Has(ErrNobodyHeard) || rep.Has(ErrNoEcho) {
		t.Errorf("nobody heard / no echo reported")
	}
}

func TestDiagnoseBadConfig(t *testing.T) {
	leakcheck.Check(t)
	if _, err := Diagnose(context.Background(), &BroadcastConfig{UDPPort: -1}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Diagnose(ctx, &BroadcastConfig{Loopback: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestDiagnosePortTaken(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.TCPPort = freeport.TCP(t)
	// Both ports held without SO_REUSEADDR.
	pc, err := net.ListenPacket("udp4", "0.0.0.0:"+itoa(cfg.UDPPort))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ln, err := net.Listen("tcp4", "127.0.0.1:"+itoa(cfg.TCPPort))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rep := diagnoseLoopback(t, cfg)
	if !rep.Has(ErrPortInUse) || rep.Worst() != SevError {
		t.Fatalf("port in use not found")
	}
	s := rep.String()
	if !strings.Contains(s, "the beacon port udp "+itoa(cfg.UDPPort)+" cannot be bound") ||
		!strings.Contains(s, "TCP port "+itoa(cfg.TCPPort)+" cannot be bound (") {
		t.Errorf("report lacks the ports")
	}
	if runtime.GOOS == "linux" && !strings.Contains(s, fmt.Sprintf("(pid %d, ", os.Getpid())) {
		t.Errorf("report does not name the process holding the port")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
