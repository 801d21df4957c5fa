package game

import "math/rand/v2"

// LockstepDelay is how many frames the guest paddle that the host uses in
// lockstep lags behind: the host steps frame f+1 with the guest's reply to
// frame f+1-LockstepDelay. More than 1 lets round trips overlap: the host
// may be that many frames ahead of the guest's replies.
const LockstepDelay = 4

// HostConfig configures a Host. The zero value works.
type HostConfig struct {
	// Seed picks the serves. Default 0.
	Seed uint64
	// End is the frame at which the game ends; 0 means it ends at Points.
	End uint32
	// Points ends a game without End: when a player reaches it, the game
	// ends ServeWait frames later. 0 means 7.
	Points int
}

// Host runs the authoritative game. It is not safe for concurrent use.
type Host struct {
	state  State
	rng    *rand.Rand
	end    uint32
	points int
	digest *Digest

	replies    [64]reply // guest paddles by frame, host view (lockstep)
	guest      int       // newest guest paddle, host view
	guestFrame uint32    // frame of the newest guest paddle
	guestSeen  bool
	last       BallMsg
}

type reply struct {
	frame uint32
	x     int
	ok    bool
}

// NewHost returns a host at frame 0. cfg may be nil.
func NewHost(cfg *HostConfig) *Host {
	var c HostConfig
	if cfg != nil {
		c = *cfg
	}
	if c.Points <= 0 {
		c.Points = 7
	}
	h := &Host{
		rng:    rand.New(rand.NewPCG(c.Seed, 0)),
		end:    c.End,
		points: c.Points,
		digest: NewDigest(),
		guest:  Width / 2,
	}
	h.state = newState(h.rng)
	h.record()
	return h
}

// State returns the current state.
func (h *Host) State() State { return h.state }

// Ball returns the BallMsg of the current frame (frame 0's after NewHost):
// send it after every Step.
func (h *Host) Ball() *BallMsg {
	m := h.last
	return &m
}

// Paddle returns the PaddleMsg of the host's paddle at the current frame.
func (h *Host) Paddle() *PaddleMsg {
	return &PaddleMsg{Frame: h.state.Frame, X: h.state.Host}
}

// OnGuestPaddle records a guest paddle (guest view, as received). A paddle
// for a frame the host has not reached yet is ignored.
func (h *Host) OnGuestPaddle(m *PaddleMsg) {
	if m.Frame > h.state.Frame {
		return
	}
	x := FlipX(ClampPaddle(m.X))
	h.replies[m.Frame%uint32(len(h.replies))] = reply{frame: m.Frame, x: x, ok: true}
	if !h.guestSeen || m.Frame >= h.guestFrame {
		h.guest, h.guestFrame, h.guestSeen = x, m.Frame, true
	}
}

// GuestFrame reports the frame of the newest guest paddle, and whether there
// is one.
func (h *Host) GuestFrame() (uint32, bool) { return h.guestFrame, h.guestSeen }

// Ready reports whether a lockstep Step can run: the guest's reply to frame
// Frame+1-LockstepDelay has arrived (or that frame is before the start), or
// a reply to a later frame has (a guest that does not answer every frame,
// such as a windowed one, must not stall a lockstep host).
func (h *Host) Ready() bool {
	if h.Over() {
		return false
	}
	f := int64(h.state.Frame) + 1 - LockstepDelay
	if f < 0 {
		return true
	}
	_, ok := h.reply(uint32(f))
	return ok || (h.guestSeen && int64(h.guestFrame) > f)
}

// reply returns the guest's reply to frame f, if it has arrived.
func (h *Host) reply(f uint32) (int, bool) {
	r := h.replies[f%uint32(len(h.replies))]
	return r.x, r.ok && r.frame == f
}

// Step advances the game by one frame with the host paddle at hostX (host
// view). In lockstep it uses the guest's reply to frame
// Frame+1-LockstepDelay, or the newest reply when that one never came (call
// Ready first); otherwise the newest guest paddle. After the end frame it
// does nothing.
func (h *Host) Step(hostX int, lockstep bool) {
	if h.Over() {
		return
	}
	guestX := h.guest
	if lockstep {
		if f := int64(h.state.Frame) + 1 - LockstepDelay; f < 0 {
			guestX = Width / 2
		} else if x, ok := h.reply(uint32(f)); ok {
			guestX = x
		}
	}
	h.state.step(h.rng, hostX, guestX)
	if h.end == 0 && (h.state.HostScore >= h.points || h.state.GuestScore >= h.points) {
		h.end = h.state.Frame + ServeWait
	}
	h.record()
}

// record makes the BallMsg of the current frame and digests it.
func (h *Host) record() {
	s := &h.state
	h.last = BallMsg{Frame: s.Frame, End: h.end, Ball: s.Ball, Wait: s.Wait, HostScore: s.HostScore, GuestScore: s.GuestScore}
	h.digest.Add(&h.last)
}

// Over reports whether the end frame has been reached.
func (h *Host) Over() bool { return h.end != 0 && h.state.Frame >= h.end }

// Digest returns the digest of every BallMsg so far.
func (h *Host) Digest() uint64 { return h.digest.Sum() }

// View returns the host's view.
func (h *Host) View() View {
	s := h.state
	return View{Frame: s.Frame, Ball: s.Ball, Me: s.Host, Opp: s.Guest, MyScore: s.HostScore, OppScore: s.GuestScore, Over: h.Over()}
}
