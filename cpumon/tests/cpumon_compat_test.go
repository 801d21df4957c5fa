package tests

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// cpuMonPeer is a stdlib-only stand-in for cable_car 1.0.1's cpu_mon
// example, written from docs/compat.md.
var cpuMonPeer = filepath.Join("python", "cpu_mon_peer.py")

// cpu_mon's TCP port: cpumon -compat cannot change it, so the Go side binds
// 127.0.0.1:8227 (-local) and the Python peer 127.0.0.2:8227.
const (
	compatTCPPort = 8227
	pythonIP      = "127.0.0.2"
)

// cpuMonKeys are cpu_mon's MsgStats attributes in its order; temp comes
// last, and only from a machine with a coretemp sensor.
var cpuMonKeys = []string{"host", "cpu_percent", "load_avg", "memory_percent", "memory_total", "swap_percent", "swap_total"}

// pyRecv is one "recv" line of cpu_mon_peer.py.
type pyRecv struct {
	From  string         `json:"from"`
	Class string         `json:"class"`
	Keys  []string       `json:"keys"`
	Attrs map[string]any `json:"attrs"`
	T     float64        `json:"t"`
}

// pyRecvs returns the messages the Python peer has printed so far.
func pyRecvs(t *testing.T, p *proctest.Proc) []pyRecv {
	t.Helper()
	lines := p.Lines()
	var rs []pyRecv
	for _, l := range lines {
		js, ok := strings.CutPrefix(l, "recv ")
		if !ok {
			continue
		}
		var r pyRecv
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			t.Fatalf("python peer line %q: %v", l, err)
		}
		rs = append(rs, r)
	}
	return rs
}

// pySent returns how many MsgStats the Python peer has queued to ip.
func pySent(p *proctest.Proc, ip string) int {
	n := 0
	for _, l := range p.Lines() {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "sent" && f[1] == ip {
			n, _ = strconv.Atoi(f[2])
		}
	}
	return n
}

// needCompatPorts skips the test unless cpu_mon's TCP port is free on both
// loopback addresses the test uses.
func needCompatPorts(t *testing.T) {
	t.Helper()
	for _, ip := range []string{"127.0.0.1", pythonIP} {
		l, err := net.Listen("tcp4", net.JoinHostPort(ip, strconv.Itoa(compatTCPPort)))
		if err != nil {
			t.Skipf("cpu_mon's TCP port %d is busy on %s (another compat monitor?): %v", compatTCPPort, ip, err)
		}
		l.Close()
	}
}

// TestCpumonCompatWithPythonCpuMon runs cpumon -compat -local against a
// Python emulation of cable_car's cpu_mon on loopback: each shows the
// other's stats, the Python side gets exactly cpu_mon's attributes (none of
// cpumon's native extras) at cpumon's interval, and cpumon takes every
// message of the Python side's fast rate (one per 0.25 s pass) without
// losing one or dropping the peer.
func TestCpumonCompatWithPythonCpuMon(t *testing.T) {
	py := proctest.NeedPython(t)
	needCompatPorts(t)
	port := strconv.Itoa(freeport.UDP(t))
	pyHost := fmt.Sprintf("pyhost-%d", os.Getpid())

	pp := proctest.Run(t, py, cpuMonPeer, "--ip", pythonIP, "--udp-port", port, "--tcp-port", strconv.Itoa(compatTCPPort),
		"--host", pyHost, "--interval", "0.5", "--duration", "30")
	if l := pp.WaitLine(t, monWait, "listening or busy", func(l string) bool {
		return strings.HasPrefix(l, "listening ") || strings.HasPrefix(l, "busy ")
	}); strings.HasPrefix(l, "busy ") {
		t.Skipf("python peer: %s", l)
	}

	const goInterval = 500 * time.Millisecond
	gp := proctest.Run(t, proctest.Bin("cpumon"), "-compat", "-local", "-json", "-interval", goInterval.String(), "-port", port)
	if l := gp.WaitLine(t, monWait, "self line or bind error", func(l string) bool {
		ev, ok := parseMonEvent(l)
		return ok && ev.Type == "self" || strings.Contains(l, "address already in use")
	}); strings.Contains(l, "address already in use") {
		t.Skipf("cpumon: %s", l)
	}
	gm := waitSelf(t, gp)

	// Go shows the Python peer, keyed by its IP, with cpu_mon's fields.
	ev := gm.waitEvent(t, "stats of the python peer", statsFrom(pythonIP))
	if s := ev.Stats; s == nil || s.Host != pyHost || !s.CPUPercent.Valid || !s.LoadAvg[2].Valid || !s.MemoryPercent.Valid ||
		!s.MemoryTotal.Valid || !s.SwapPercent.Valid || !s.SwapTotal.Valid || s.Uptime.Valid || s.Interval.Valid {
		t.Errorf("stats of the python peer: %+v", s)
	}

	// Python gets cpumon's stats with exactly cpu_mon's attributes.
	pp.Line(t, `recv {"from": "127.0.0.1", "class": "MsgStats"`, monWait)

	// The fast rate: wait for ten messages from Python, then for every
	// message Python had queued by then to arrive (none lost, none stuck).
	gm.WaitLine(t, monWait, "10 stats of the python peer", func(string) bool {
		return gm.count(t, statsFrom(pythonIP)) >= 10
	})
	sent := pySent(pp, "127.0.0.1")
	gm.WaitLine(t, monWait, fmt.Sprintf("all %d stats the python peer sent", sent), func(string) bool {
		return gm.count(t, statsFrom(pythonIP)) >= sent
	})
	got := gm.count(t, statsFrom(pythonIP))
	if got > sent+2 { // +2: what Python queued since pySent
		t.Errorf("cpumon shows %d stats of the python peer, which sent %d", got, sent)
	}
	// cpumon sends at its own interval, not at Python's rate: by the time
	// Python's fast stream has been taken in, Python has had fewer from Go.
	pyGot := len(pyRecvs(t, pp))
	if pyGot >= got {
		t.Errorf("python got %d stats from cpumon while cpumon got %d: cpumon does not keep to its interval", pyGot, got)
	}
	t.Logf("cpumon took %d stats of the python peer (%d sent); python got %d", got, sent, pyGot)

	gp.Interrupt()
	if err := gp.WaitExit(t, monWait); err != nil {
		t.Errorf("interrupted cpumon exited with %v, want status 0", err)
	}
	pp.Line(t, "closed 127.0.0.1", monWait)

	rs := pyRecvs(t, pp)
	for i, r := range rs {
		keys := r.Keys
		if len(keys) == len(cpuMonKeys)+1 && keys[len(keys)-1] == "temp" {
			keys = keys[:len(keys)-1]
		}
		if r.From != "127.0.0.1" || r.Class != "MsgStats" || !slices.Equal(keys, cpuMonKeys) || r.Attrs["host"] != gm.self.Host {
			t.Errorf("python peer's message %d of %d: %+v; want MsgStats from 127.0.0.1 (host %q) with keys %v (+ temp)", i+1, len(rs), r, gm.self.Host, cpuMonKeys)
			break
		}
	}
	if out := pp.Output(); strings.Contains(out, "\nerror ") {
		t.Errorf("python peer reported errors:\n%s", out)
	}
	for _, ev := range gm.events(t) {
		if ev.Type == "gone" {
			t.Errorf("cpumon dropped a peer while running: %+v", ev)
		}
	}
}
