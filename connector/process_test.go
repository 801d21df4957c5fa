//go:build linux

package connector

import (
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// Two processes on one host find each other on loopback; a peer killed
// with SIGKILL is dropped, and its restart (a new id) connects again.
func TestProcessesOnOneHost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.PeerTimeout = time.Second
	a := startTestPeer(t, cfg, "parent")
	cc := childConfig{Name: "child", AppID: cfg.AppID, UDPPort: cfg.UDPPort, Interval: cfg.Interval,
		PeerTimeout: cfg.PeerTimeout, Loopback: true}
	ch := startChild(t, nil, cc)
	ch.WaitLine("CONNECT "+a.ID().String()+" parent 127.0.0.1:", 10*time.Second)
	waitFor(t, 10*time.Second, "parent sees child", func() bool { return a.rec.Count(ch.ID) == 1 })

	ch.Kill()
	waitFor(t, 10*time.Second, "parent drops the killed child", func() bool { return len(a.rec.disconnectsFromStr(ch.ID)) == 1 })
	t.Logf("killed child dropped with: %v", a.rec.disconnectsFromStr(ch.ID)[0])

	ch2 := startChild(t, nil, cc)
	if ch2.ID == ch.ID {
		t.Fatal("restarted child has the same id")
	}
	ch2.WaitLine("CONNECT "+a.ID().String()+" ", 10*time.Second)
	waitFor(t, 10*time.Second, "parent sees the new child", func() bool { return a.rec.Count(ch2.ID) == 1 })

	// A clean stop: dropped at once, and the child's own goroutines end.
	ch2.Send("stop")
	ch2.WaitLine("STOPPED", 10*time.Second)
	if err := ch2.Wait(10 * time.Second); err != nil {
		t.Errorf("child exit: %v", err)
	}
	waitFor(t, 10*time.Second, "parent drops the stopped child", func() bool { return len(a.rec.disconnectsFromStr(ch2.ID)) == 1 })
	if r := a.rec.disconnectsFromStr(ch2.ID)[0]; !strings.Contains(reasons.Word(r), "left") && reasons.Word(r) != "eof" {
		t.Errorf("stopped child dropped with %v", r)
	}
}
