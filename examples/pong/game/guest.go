package game

import "fmt"

// Guest mirrors the host's game from the messages it receives. It is not
// safe for concurrent use.
type Guest struct {
	ball   BallMsg // newest, host view
	have   bool
	hostX  int    // host paddle, guest view
	hostF  uint32 // frame of hostX
	digest *Digest
}

// NewGuest returns a guest that has received nothing yet.
func NewGuest() *Guest {
	return &Guest{hostX: Width / 2, digest: NewDigest()}
}

// OnBall takes the host's state for the next frame and adds it to the
// digest. The host sends every frame, starting at 0, over a reliable
// stream: a BallMsg for any other frame is refused with ErrFrameOrder (the
// stream cannot be trusted any more), as is one after the end frame.
func (g *Guest) OnBall(m *BallMsg) error {
	want := uint32(0)
	if g.have {
		want = g.ball.Frame + 1
	}
	if m.Frame != want || g.Over() {
		return fmt.Errorf("%w: got frame %d, want %d", ErrFrameOrder, m.Frame, want)
	}
	g.ball, g.have = *m, true
	g.digest.Add(m)
	return nil
}

// OnHostPaddle takes the host's paddle.
func (g *Guest) OnHostPaddle(m *PaddleMsg) {
	g.hostX, g.hostF = FlipX(ClampPaddle(m.X)), m.Frame
}

// HostPaddleFrame returns the host frame of the newest host paddle.
func (g *Guest) HostPaddleFrame() uint32 { return g.hostF }

// Started reports whether the first BallMsg has arrived.
func (g *Guest) Started() bool { return g.have }

// Frame returns the newest host frame received (0 before the first).
func (g *Guest) Frame() uint32 { return g.ball.Frame }

// Ball returns the newest ball in the guest's view.
func (g *Guest) Ball() Ball { return Flip(g.ball.Ball) }

// Last returns the newest BallMsg as received (host view).
func (g *Guest) Last() BallMsg { return g.ball }

// Over reports whether the host's end frame has been received.
func (g *Guest) Over() bool {
	return g.have && g.ball.End != 0 && g.ball.Frame >= g.ball.End
}

// Digest returns the digest of every BallMsg received.
func (g *Guest) Digest() uint64 { return g.digest.Sum() }

// View returns the guest's view with its own paddle at me.
func (g *Guest) View(me int) View {
	if !g.have {
		return View{Ball: Ball{X: Width / 2, Y: Height / 2}, Me: me, Opp: g.hostX}
	}
	return View{
		Frame:    g.ball.Frame,
		Ball:     Flip(g.ball.Ball),
		Me:       me,
		Opp:      g.hostX,
		MyScore:  g.ball.GuestScore,
		OppScore: g.ball.HostScore,
		Over:     g.Over(),
	}
}
