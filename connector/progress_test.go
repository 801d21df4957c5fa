package connector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestProgressLoopback(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	a := newTestPeer(t, cfg, "a")
	if s := a.Progress().String(); s != "discovery not started" {
		t.Errorf("before Start: %q", s)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := a.Progress()
	if !p.Searching || len(p.Targets) != 1 || p.Targets[0].Interface != "lo" {
		t.Fatalf("%+v", p)
	}
	if s := p.String(); !strings.HasPrefix(s, "looking for peers on lo (127.255.255.255), 0 heard for ") {
		t.Errorf("String() = %q", s)
	}
	waitFor(t, 10*time.Second, "own beacons heard and two intervals passed", func() bool {
		p = a.Progress()
		return p.OwnHeard > 0 && p.Elapsed >= 2*cfg.Interval
	})
	if err := p.Problem(); !errors.Is(err, ErrNobodyHeard) {
		t.Errorf("alone: Problem() = %v", err)
	}
	if l := p.Line(0); !strings.Contains(l, "0 heard for") || !strings.Contains(l, ": connector: no peer heard") {
		t.Errorf("Line(0) = %q", l)
	}
	if l := p.Line(time.Hour); strings.Contains(l, "no peer heard") {
		t.Errorf("Line(1h) = %q", l)
	}
	startTestPeer(t, cfg, "b")
	waitFor(t, 10*time.Second, "b heard and connected", func() bool {
		p = a.Progress()
		return p.Heard == 1 && p.Connected == 1
	})
	if err := p.Problem(); err != nil {
		t.Errorf("with a peer: Problem() = %v", err)
	}
	if s := p.String(); !strings.Contains(s, "1 heard, 1 connected for") {
		t.Errorf("String() = %q", s)
	}
	a.Stop()
	if s := a.Progress().String(); s != "discovery ended, 0 connected" {
		t.Errorf("after Stop: %q", s)
	}
}

func TestProgressReadAllocs(t *testing.T) {
	cfg := loopbackConfig(t, freeport.UDP(t))
	a := startTestPeer(t, cfg, "a")
	a.Progress() // names the targets once
	if n := testing.AllocsPerRun(100, func() { a.Progress() }); n != 0 {
		t.Errorf("Progress allocates %v times", n)
	}
}

func TestConnectSaysWhyNobody(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	cfg := loopbackConfig(t, port)

	// Alone: ctx ends; the error wraps the deadline and "nobody heard".
	a := newTestPeer(t, cfg, "a")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := a.Connect(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrNobodyHeard) {
		t.Errorf("alone: %v", err)
	}
	a.Stop()

	// Discovery's own Timeout with nobody: ErrTimeout, not nil.
	tc := cfg
	tc.Timeout = 300 * time.Millisecond
	b := newTestPeer(t, tc, "b")
	if peers, err := b.Connect(context.Background()); !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrNobodyHeard) || len(peers) != 0 {
		t.Errorf("Timeout alone: %v, %v", peers, err)
	}
	b.Stop()

	// Only a peer of another application: its id is named.
	other := cfg
	other.AppID = "another-game"
	startTestPeer(t, other, "stranger")
	c := newTestPeer(t, cfg, "c")
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	_, err = c.Connect(ctx2)
	if !errors.Is(err, ErrForeignApp) || !strings.Contains(err.Error(), `"another-game"`) {
		t.Errorf("stranger: %v", err)
	}
}
