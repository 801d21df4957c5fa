package tests

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// Timings of the native cpumon tests.
const (
	monInterval = 250 * time.Millisecond // cpumon -interval
	// monPeerTimeout is the connector's default peer timeout as cpumon uses
	// it: 4 × the 1 s beacon interval.
	monPeerTimeout = 4 * time.Second
	monWait        = 10 * time.Second // bounds every wait for a line
)

// monEvent is one line of cpumon -json output.
type monEvent struct {
	Type   string         `json:"type"` // self, stats or gone
	Peer   string         `json:"peer"`
	Addr   string         `json:"addr"`
	Host   string         `json:"host"`
	Time   time.Time      `json:"time"` // when cpumon wrote the line
	Reason string         `json:"reason"`
	Stats  *wire.MsgStats `json:"stats"`
}

func parseMonEvent(line string) (monEvent, bool) {
	var ev monEvent
	if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Type == "" {
		return monEvent{}, false
	}
	return ev, true
}

// monProc is a running cpumon -json and its first ("self") line.
type monProc struct {
	*proctest.Proc
	self monEvent
}

// startMonitor runs cpumon with args (which must include -json) and waits
// for its self line.
func startMonitor(t *testing.T, args ...string) *monProc {
	t.Helper()
	return waitSelf(t, proctest.Run(t, proctest.Bin("cpumon"), args...))
}

func waitSelf(t *testing.T, p *proctest.Proc) *monProc {
	t.Helper()
	line := p.WaitLine(t, monWait, "self line", func(l string) bool {
		ev, ok := parseMonEvent(l)
		return ok && ev.Type == "self"
	})
	ev, _ := parseMonEvent(line)
	if ev.Peer == "" || ev.Host == "" || ev.Addr == "" || ev.Time.IsZero() {
		t.Fatalf("incomplete self line %s", line)
	}
	return &monProc{Proc: p, self: ev}
}

// waitEvent waits for the first event that matches.
func (m *monProc) waitEvent(t *testing.T, what string, match func(monEvent) bool) monEvent {
	t.Helper()
	line := m.WaitLine(t, monWait, what, func(l string) bool {
		ev, ok := parseMonEvent(l)
		return ok && match(ev)
	})
	ev, _ := parseMonEvent(line)
	return ev
}

// events returns every line printed so far, parsed; a line that is not a
// cpumon JSON event fails the test (-json prints nothing else).
func (m *monProc) events(t *testing.T) []monEvent {
	t.Helper()
	lines := m.Lines()
	evs := make([]monEvent, 0, len(lines))
	for _, l := range lines {
		ev, ok := parseMonEvent(l)
		if !ok {
			t.Errorf("%s printed a line that is not a JSON event: %q", m.self.Host, l)
			continue
		}
		evs = append(evs, ev)
	}
	return evs
}

// count returns how many events so far match.
func (m *monProc) count(t *testing.T, match func(monEvent) bool) int {
	n := 0
	for _, ev := range m.events(t) {
		if match(ev) {
			n++
		}
	}
	return n
}

func statsFrom(peer string) func(monEvent) bool {
	return func(ev monEvent) bool { return ev.Type == "stats" && ev.Peer == peer }
}

func goneOf(peer string) func(monEvent) bool {
	return func(ev monEvent) bool { return ev.Type == "gone" && ev.Peer == peer }
}

// startLocalMonitors runs n cpumon -local -json on one beacon port.
func startLocalMonitors(t *testing.T, n int) []*monProc {
	t.Helper()
	port := strconv.Itoa(freeport.UDP(t))
	ms := make([]*monProc, n)
	for i := range ms {
		ms[i] = startMonitor(t, "-local", "-json", "-interval", monInterval.String(), "-port", port)
		hostname, _ := os.Hostname()
		if want := hostname + "#" + strconv.Itoa(ms[i].Cmd.Process.Pid); ms[i].self.Host != want {
			t.Fatalf("-local host %q, want %q", ms[i].self.Host, want)
		}
	}
	return ms
}

// checkAllSeeAll asserts that every monitor receives the stats of every
// other one within two intervals of both running, as the monitors' own
// timestamps tell, with cpumon's native fields filled in.
func checkAllSeeAll(t *testing.T, ms []*monProc) {
	t.Helper()
	var slowest time.Duration
	for _, m := range ms {
		for _, o := range ms {
			if o == m {
				continue
			}
			ev := m.waitEvent(t, "stats of "+o.self.Host, statsFrom(o.self.Peer))
			s := ev.Stats
			if s == nil || s.Host != o.self.Host {
				t.Fatalf("%s: stats of peer %s name host %+v, want %q", m.self.Host, o.self.Peer, s, o.self.Host)
			}
			if !s.CPUPercent.Valid || !s.LoadAvg[0].Valid || !s.MemoryPercent.Valid || !s.MemoryTotal.Valid ||
				!s.SwapPercent.Valid || !s.SwapTotal.Valid || !s.Uptime.Valid || s.Interval != wire.F(monInterval.Seconds()) {
				t.Errorf("%s: stats of %s lack fields: %+v", m.self.Host, o.self.Host, s)
			}
			d := ev.Time.Sub(later(m.self.Time, o.self.Time))
			if d > 2*monInterval {
				t.Errorf("%s: first stats of %s came %v after both ran, more than two intervals (%v)", m.self.Host, o.self.Host, d, 2*monInterval)
			}
			slowest = max(slowest, d)
		}
	}
	t.Logf("%d monitors: slowest first stats %v after both ran", len(ms), slowest)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestCpumonTwoSeeEachOtherThenKilled: two -local monitors show each
// other's stats; one killed (SIGKILL: no goodbye) is reported gone by the
// other within the peer timeout, and nothing of it shows after that.
func TestCpumonTwoSeeEachOtherThenKilled(t *testing.T) {
	ms := startLocalMonitors(t, 2)
	a, b := ms[0], ms[1]
	checkAllSeeAll(t, ms)

	killed := time.Now()
	b.Kill()
	gone := a.waitEvent(t, "gone of the killed monitor", goneOf(b.self.Peer))
	if d := gone.Time.Sub(killed); d > monPeerTimeout {
		t.Errorf("killed monitor reported gone after %v, more than the peer timeout %v", d, monPeerTimeout)
	}
	if gone.Reason == "" {
		t.Errorf("gone without a reason: %+v", gone)
	}
	t.Logf("killed monitor gone after %v (%s)", gone.Time.Sub(killed), gone.Reason)

	// A third monitor joins: a sees it, and neither a (after the gone line)
	// nor the newcomer shows the killed one.
	c := startMonitor(t, "-local", "-json", "-interval", monInterval.String(), "-port", portOf(t, a))
	a.waitEvent(t, "stats of the newcomer", statsFrom(c.self.Peer))
	c.waitEvent(t, "stats of the survivor", statsFrom(a.self.Peer))
	checkNothingAfterGone(t, a, b.self.Peer)
	if n := c.count(t, func(ev monEvent) bool { return ev.Peer == b.self.Peer }); n != 0 {
		t.Errorf("the newcomer shows the killed monitor (%d lines)", n)
	}
}

// portOf returns the -port argument a monitor was started with.
func portOf(t *testing.T, m *monProc) string {
	t.Helper()
	args := m.Cmd.Args
	for i, a := range args[:len(args)-1] {
		if a == "-port" {
			return args[i+1]
		}
	}
	t.Fatalf("no -port in %v", args)
	return ""
}

// TestCpumonThreeSeeEachOtherThenInterrupted: three -local monitors show
// each other's stats; Ctrl-C makes one exit 0 after saying goodbye, the two
// others report it left at once (not by timeout) and go on seeing each
// other.
func TestCpumonThreeSeeEachOtherThenInterrupted(t *testing.T) {
	ms := startLocalMonitors(t, 3)
	checkAllSeeAll(t, ms)
	a, b, c := ms[0], ms[1], ms[2]

	interrupted := time.Now()
	b.Interrupt()
	if err := b.WaitExit(t, monWait); err != nil {
		t.Errorf("interrupted monitor exited with %v, want status 0", err)
	}
	b.events(t) // only JSON lines: nothing printed on the way out
	for _, m := range []*monProc{a, c} {
		gone := m.waitEvent(t, "gone of the interrupted monitor", goneOf(b.self.Peer))
		if gone.Reason != "left" {
			t.Errorf("%s: interrupted monitor gone with reason %q, want left", m.self.Host, gone.Reason)
		}
		if d := gone.Time.Sub(interrupted); d > time.Second {
			t.Errorf("%s: interrupted monitor reported gone after %v, want well under the peer timeout %v", m.self.Host, d, monPeerTimeout)
		}
		t.Logf("%s: interrupted monitor gone after %v", m.self.Host, gone.Time.Sub(interrupted))
	}
	// The two others still exchange stats.
	a.waitEvent(t, "stats of c after b left", func(ev monEvent) bool {
		return statsFrom(c.self.Peer)(ev) && ev.Time.After(interrupted)
	})
	c.waitEvent(t, "stats of a after b left", func(ev monEvent) bool {
		return statsFrom(a.self.Peer)(ev) && ev.Time.After(interrupted)
	})
	checkNothingAfterGone(t, a, b.self.Peer)
	checkNothingAfterGone(t, c, b.self.Peer)
}

// checkNothingAfterGone asserts that m shows nothing of peer after the line
// that reported it gone.
func checkNothingAfterGone(t *testing.T, m *monProc, peer string) {
	t.Helper()
	afterGone := false
	for _, ev := range m.events(t) {
		switch {
		case ev.Type == "gone" && ev.Peer == peer:
			afterGone = true
		case afterGone && ev.Peer == peer:
			t.Errorf("%s: %s shows again after its gone line: %+v", m.self.Host, peer, ev)
		}
	}
	if !afterGone {
		t.Errorf("%s: no gone line for %s", m.self.Host, peer)
	}
}
