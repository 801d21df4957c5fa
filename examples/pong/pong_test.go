package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/internal/freeport"
)

const gameTimeout = 60 * time.Second

// startPair starts two players that find each other by discovery on
// loopback (-lo), on a beacon port of their own so that pairs of players in
// parallel tests do not meet. argsA and argsB go to one player each, args
// to both.
func startPair(t *testing.T, env, argsA, argsB []string, args ...string) (a, b *proc) {
	t.Helper()
	common := append([]string{"-lo", "-port", strconv.Itoa(freeport.UDP(t))}, args...)
	a = startPong(t, "player A", env, append(common, argsA...)...)
	b = startPong(t, "player B", env, append(common, argsB...)...)
	return a, b
}

// startDirectPair starts two players connected by -listen/-dial on
// loopback (the listener on a free port).
func startDirectPair(t *testing.T, env []string, args ...string) (a, b *proc) {
	t.Helper()
	a = startPong(t, "player A", env, append([]string{"-listen", "127.0.0.1:0"}, args...)...)
	addr := strings.TrimPrefix(a.Line(t, "listening on ", gameTimeout), "listening on ")
	b = startPong(t, "player B", env, append([]string{"-dial", addr}, args...)...)
	return a, b
}

// roles returns the player that hosts and the one that guests.
func roles(t *testing.T, a, b *proc) (host, guest *proc) {
	t.Helper()
	ra := a.Line(t, "connected to ", gameTimeout)
	rb := b.Line(t, "connected to ", gameTimeout)
	switch {
	case strings.HasSuffix(ra, " as host") && strings.HasSuffix(rb, " as guest"):
		return a, b
	case strings.HasSuffix(ra, " as guest") && strings.HasSuffix(rb, " as host"):
		return b, a
	}
	t.Fatalf("roles: %q and %q: want one host and one guest", ra, rb)
	return nil, nil
}

func TestHeadlessGameSameScoreAndDigest(t *testing.T) {
	t.Parallel()
	const seed, frames = 7, 1200
	a, b := startPair(t, nil, nil, nil, "-headless", "-frames", fmt.Sprint(frames), "-seed", fmt.Sprint(seed))
	host, guest := roles(t, a, b)
	a.Wait(t, gameTimeout)
	b.Wait(t, gameTimeout)

	hf, gf := host.Line(t, "final ", 0), guest.Line(t, "final ", 0)
	if hf != gf {
		t.Fatalf("host and guest disagree:\nhost:  %s\nguest: %s", hf, gf)
	}
	// The lockstep game over TCP is the game played in memory.
	want, err := game.Simulate(seed, frames)
	if err != nil {
		t.Fatal(err)
	}
	if w := fmt.Sprintf("final frame=%d host=%d guest=%d digest=%016x", want.Frame, want.HostScore, want.GuestScore, want.Digest); hf != w {
		t.Errorf("final line %q, want %q (game.Simulate)", hf, w)
	}
	// Both measured a round trip and counted messages: every frame, the
	// host sent ball and paddle, the guest its paddle.
	for _, p := range []*proc{host, guest} {
		l := p.Line(t, "net ", 0)
		var rtt string
		var in, out uint64
		if _, err := fmt.Sscanf(l, "net rtt=%s msgs_in=%d msgs_out=%d", &rtt, &in, &out); err != nil {
			t.Fatalf("%s: net line %q: %v", p.Name, l, err)
		}
		if rtt == "-" || !strings.HasSuffix(rtt, "ms") {
			t.Errorf("%s: no round trip measured: %q", p.Name, l)
		}
		minIn, minOut := uint64(frames+1), uint64(frames+1)
		if p == host {
			minOut *= 2
		}
		if in < minIn || out < minOut {
			t.Errorf("%s: %q: too few messages for %d frames", p.Name, l, frames)
		}
	}
}

// TestHeadlessGameToPoints also covers -listen and -dial.
func TestHeadlessGameToPoints(t *testing.T) {
	t.Parallel()
	a, b := startDirectPair(t, nil, "-headless", "-points", "2", "-seed", "3")
	a.Wait(t, gameTimeout)
	b.Wait(t, gameTimeout)
	fa, fb := a.Line(t, "final ", 0), b.Line(t, "final ", 0)
	if fa != fb {
		t.Fatalf("players disagree:\n%s\n%s", fa, fb)
	}
	var frame, hs, gs int
	var digest string
	if _, err := fmt.Sscanf(fa, "final frame=%d host=%d guest=%d digest=%s", &frame, &hs, &gs, &digest); err != nil {
		t.Fatalf("final line %q: %v", fa, err)
	}
	if max(hs, gs) != 2 {
		t.Errorf("final %q: want a player at 2 points", fa)
	}
}

func TestTerminalFallbackWithoutDisplay(t *testing.T) {
	t.Parallel()
	env := []string{"DISPLAY=", "WAYLAND_DISPLAY=", "SDL_VIDEODRIVER="}
	dir := t.TempDir()
	trace := func(name string) []string { return []string{"-trace", filepath.Join(dir, name)} }
	a, b := startPair(t, env, trace("a"), trace("b"), "-frames", "60", "-linger", "0")
	host, _ := roles(t, a, b)
	a.Wait(t, gameTimeout)
	b.Wait(t, gameTimeout)
	for _, p := range []*proc{a, b} {
		l := p.Line(t, "pong: no window (", 0)
		if !strings.Contains(l, "sdl:") || !strings.Contains(l, "terminal") {
			t.Errorf("%s: fallback message %q does not say why and what happens", p.Name, l)
		}
		if _, ok := p.Find("|"); !ok {
			t.Errorf("%s drew no court in the terminal", p.Name)
		}
	}
	if fa, fb := a.Line(t, "final ", 0), b.Line(t, "final ", 0); fa != fb || !strings.HasPrefix(fa, "final frame=60 ") {
		t.Errorf("final lines %q and %q: want the same, at frame 60", fa, fb)
	}
	// Without a keyboard the computer plays: a paddle moves.
	moved := false
	for _, f := range readTrace(t, filepath.Join(dir, map[*proc]string{a: "a", b: "b"}[host])) {
		moved = moved || f.host != game.Width/2 || f.guest != game.Width/2
	}
	if !moved {
		t.Error("no paddle moved in the terminal game")
	}
}
