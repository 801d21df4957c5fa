package game

import (
	"errors"
	"testing"
)

func TestSimulateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := Simulate(42, 3600)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(42, 3600)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("same seed, different games: %+v and %+v", a, b)
	}
	if a.Frame != 3600 {
		t.Errorf("game ended at frame %d, want 3600", a.Frame)
	}
	if a.HostScore+a.GuestScore == 0 {
		t.Errorf("no point in a minute of play: %+v", a)
	}
	c, err := Simulate(43, 3600)
	if err != nil {
		t.Fatal(err)
	}
	if c.Digest == a.Digest {
		t.Errorf("seeds 42 and 43 give the same digest %016x", a.Digest)
	}
}

// play runs a host and a guest with their AIs, delivering the guest's
// replies late by lag frames when not in lockstep.
func play(t *testing.T, seed uint64, end uint32) (*Host, *Guest) {
	t.Helper()
	host := NewHost(&HostConfig{Seed: seed, End: end})
	guest := NewGuest()
	hostAI, guestAI := NewAI(seed, HostStream), NewAI(seed, GuestStream)
	hostX, guestX := Width/2, Width/2
	for {
		if err := guest.OnBall(host.Ball()); err != nil {
			t.Fatal(err)
		}
		guestX = guestAI.Move(guestX, guest.Ball())
		host.OnGuestPaddle(&PaddleMsg{Frame: guest.Frame(), X: guestX})
		if host.Over() {
			return host, guest
		}
		hostX = hostAI.Move(hostX, host.State().Ball)
		host.Step(hostX, false)
	}
}

func TestHostAndGuestAgree(t *testing.T) {
	t.Parallel()
	host, guest := play(t, 5, 600)
	if !guest.Over() || !host.Over() {
		t.Fatalf("over: host %v guest %v", host.Over(), guest.Over())
	}
	if host.Digest() != guest.Digest() {
		t.Errorf("digest: host %016x, guest %016x", host.Digest(), guest.Digest())
	}
	hv, gv := host.View(), guest.View(Width/2)
	if gv.MyScore != hv.OppScore || gv.OppScore != hv.MyScore {
		t.Errorf("scores: host sees %d:%d, guest %d:%d", hv.MyScore, hv.OppScore, gv.MyScore, gv.OppScore)
	}
	if gv.Ball != Flip(hv.Ball) {
		t.Errorf("guest sees the ball at %+v, want the host's %+v flipped", gv.Ball, hv.Ball)
	}
}

func TestGuestSeesHostPaddleFlipped(t *testing.T) {
	t.Parallel()
	g := NewGuest()
	g.OnHostPaddle(&PaddleMsg{X: 100})
	if v := g.View(300); v.Opp != Width-100 || v.Me != 300 {
		t.Errorf("view %+v: want opponent at %d, me at 300", v, Width-100)
	}
}

func TestHostFlipsGuestPaddle(t *testing.T) {
	t.Parallel()
	h := NewHost(nil)
	h.OnGuestPaddle(&PaddleMsg{Frame: 0, X: 100})
	h.Step(Width/2, false)
	if got := h.State().Guest; got != Width-100 {
		t.Errorf("guest paddle in the host's view: %d, want %d", got, Width-100)
	}
	// A paddle for a frame the host has not reached is ignored.
	h.OnGuestPaddle(&PaddleMsg{Frame: 99, X: 300})
	h.Step(Width/2, false)
	if got := h.State().Guest; got != Width-100 {
		t.Errorf("after a paddle from the future: %d, want %d", got, Width-100)
	}
}

func TestHostLockstepWaitsForTheGuest(t *testing.T) {
	t.Parallel()
	h := NewHost(&HostConfig{End: 100})
	for f := 0; f < LockstepDelay-1; f++ {
		if !h.Ready() {
			t.Fatalf("frame %d: not ready before any reply is due", h.State().Frame)
		}
		h.Step(Width/2, true)
	}
	if h.Ready() {
		t.Fatalf("frame %d: ready without the guest's reply to frame 0", h.State().Frame)
	}
	h.OnGuestPaddle(&PaddleMsg{Frame: 0, X: 60})
	if !h.Ready() {
		t.Fatalf("frame %d: not ready with the reply to frame 0", h.State().Frame)
	}
	h.Step(Width/2, true)
	if got := h.State().Guest; got != FlipX(60) {
		t.Errorf("lockstep used guest paddle %d, want %d", got, FlipX(60))
	}
}

func TestHostEndsAtPoints(t *testing.T) {
	t.Parallel()
	h := NewHost(&HostConfig{Seed: 3, Points: 1})
	// Nobody moves: the first serve scores.
	for f := 0; f < 10000 && !h.Over(); f++ {
		h.Step(minPaddleX, false)
	}
	s, m := h.State(), h.Ball()
	if !h.Over() || s.HostScore+s.GuestScore != 1 {
		t.Fatalf("over %v at frame %d, score %d:%d: want over after one point", h.Over(), s.Frame, s.HostScore, s.GuestScore)
	}
	if m.End != s.Frame {
		t.Errorf("end %d announced, frame %d", m.End, s.Frame)
	}
	h.Step(minPaddleX, false)
	if h.State().Frame != s.Frame {
		t.Errorf("Step after the end moved to frame %d", h.State().Frame)
	}
}

func TestGuestRefusesFramesOutOfOrder(t *testing.T) {
	t.Parallel()
	h := NewHost(&HostConfig{End: 3})
	g := NewGuest()
	first := h.Ball()
	h.Step(Width/2, false)
	second := h.Ball()
	if err := g.OnBall(second); !errors.Is(err, ErrFrameOrder) {
		t.Errorf("frame 1 first: %v, want ErrFrameOrder", err)
	}
	if err := g.OnBall(first); err != nil {
		t.Fatal(err)
	}
	if err := g.OnBall(first); !errors.Is(err, ErrFrameOrder) {
		t.Errorf("frame 0 twice: %v, want ErrFrameOrder", err)
	}
	for !h.Over() {
		h.Step(Width/2, false)
	}
	for f := uint32(1); f <= 3; f++ {
		m := h.Ball()
		m.Frame = f
		m.End = 3
		if err := g.OnBall(m); err != nil {
			t.Fatalf("frame %d: %v", f, err)
		}
	}
	m := h.Ball()
	m.Frame, m.End = 4, 0
	if err := g.OnBall(m); !errors.Is(err, ErrFrameOrder) {
		t.Errorf("frame after the end: %v, want ErrFrameOrder", err)
	}
	if !g.Over() || g.digest.Len() != 4 {
		t.Errorf("over %v after %d frames, want over after 4", g.Over(), g.digest.Len())
	}
}

func TestDigestDependsOnEveryField(t *testing.T) {
	t.Parallel()
	base := BallMsg{Frame: 7, End: 100, Ball: Ball{X: 10, Y: 20, VX: 1, VY: 2}, Wait: 3, HostScore: 4, GuestScore: 5}
	sum := func(m BallMsg) uint64 {
		d := NewDigest()
		d.Add(&m)
		return d.Sum()
	}
	seen := map[uint64]string{sum(base): "base"}
	for name, change := range map[string]func(*BallMsg){
		"frame": func(m *BallMsg) { m.Frame++ },
		"end":   func(m *BallMsg) { m.End++ },
		"x":     func(m *BallMsg) { m.Ball.X++ },
		"y":     func(m *BallMsg) { m.Ball.Y++ },
		"vx":    func(m *BallMsg) { m.Ball.VX++ },
		"vy":    func(m *BallMsg) { m.Ball.VY++ },
		"wait":  func(m *BallMsg) { m.Wait++ },
		"host":  func(m *BallMsg) { m.HostScore++ },
		"guest": func(m *BallMsg) { m.GuestScore++ },
	} {
		m := base
		change(&m)
		s := sum(m)
		if other, dup := seen[s]; dup {
			t.Errorf("changing %s gives the digest of %s", name, other)
		}
		seen[s] = name
	}
	// Order matters.
	a, b := base, base
	b.Frame++
	d1, d2 := NewDigest(), NewDigest()
	d1.Add(&a)
	d1.Add(&b)
	d2.Add(&b)
	d2.Add(&a)
	if d1.Sum() == d2.Sum() {
		t.Error("digest does not depend on the order of messages")
	}
}

func TestLockstepHostGoesOnWhenTheGuestSkipsFrames(t *testing.T) {
	t.Parallel()
	h := NewHost(&HostConfig{End: 100})
	for range LockstepDelay - 1 {
		h.Step(Width/2, true)
	}
	// A windowed guest answers only the newest frame it has: here frame 2,
	// never frame 0 or 1.
	h.OnGuestPaddle(&PaddleMsg{Frame: 2, X: 70})
	for range 3 {
		if !h.Ready() {
			t.Fatalf("frame %d: lockstep host stalls on a guest that skips frames", h.State().Frame)
		}
		h.Step(Width/2, true)
		if got := h.State().Guest; got != FlipX(70) {
			t.Errorf("frame %d: guest paddle %d, want the newest, %d", h.State().Frame, got, FlipX(70))
		}
	}
	if h.Ready() {
		t.Errorf("frame %d: ready, but the guest's newest reply (frame 2) is too old", h.State().Frame)
	}
}
