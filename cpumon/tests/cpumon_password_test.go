package tests

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/secure"
)

// TestCpumonPassword: two cpumon -password processes see each other; a
// third with no password (run with -v, whose log says its hellos were
// refused) sees neither and is seen by neither.
func TestCpumonPassword(t *testing.T) {
	port := strconv.Itoa(freeport.UDP(t))
	args := []string{"-local", "-json", "-interval", monInterval.String(), "-port", port}
	a := startMonitor(t, append(args, "-password", "fleet")...)
	b := startMonitor(t, append(args, "-password", "fleet")...)
	outsider := startMonitor(t, append(args, "-v")...)
	wrong := startMonitor(t, append(args, "-v", "-password", "other")...)
	checkAllSeeAll(t, []*monProc{a, b})
	outsider.WaitLine(t, monWait, "a refused hello", func(l string) bool {
		return strings.Contains(l, "one side has a code or password and the other has none")
	})
	wrong.WaitLine(t, monWait, "a refused hello", func(l string) bool { return strings.Contains(l, secure.ErrWrongCode.Error()) })
	// Three more samples between a and b after the outsiders were refused.
	n := a.count(t, statsFrom(b.self.Peer))
	a.WaitLine(t, monWait, "three more stats of b", func(string) bool { return a.count(t, statsFrom(b.self.Peer)) >= n+3 })
	for _, m := range []*monProc{a, b, outsider, wrong} {
		lines := m.Lines()
		for _, l := range lines {
			ev, ok := parseMonEvent(l)
			if !ok || ev.Type == "self" {
				continue
			}
			if !(m == a && ev.Peer == b.self.Peer) && !(m == b && ev.Peer == a.self.Peer) {
				t.Errorf("%s printed %s of %s, which has another secret", m.self.Host, ev.Type, ev.Peer)
			}
		}
	}
}
