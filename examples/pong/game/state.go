package game

import "math/rand/v2"

// State is the host's authoritative game, in the host's view: the host's
// paddle at the bottom, the guest's at the top.
type State struct {
	Frame      uint32 // frames stepped since the start
	Ball       Ball
	Wait       int // frames the ball still rests before the serve
	Host       int // host paddle centre x
	Guest      int // guest paddle centre x
	HostScore  int
	GuestScore int
	hits       int // paddle hits in this rally: they speed the ball up
}

// newState returns the state at frame 0: paddles centred and the first
// serve drawn from rng.
func newState(rng *rand.Rand) State {
	s := State{Host: Width / 2, Guest: Width / 2}
	s.serve(rng, rng.IntN(2) == 0)
	return s
}

// serve puts the ball at the centre, waiting, with a random horizontal speed
// and a vertical one toward the host (down) or the guest (up).
func (s *State) serve(rng *rand.Rand, towardHost bool) {
	vy := ServeSpeed
	if !towardHost {
		vy = -vy
	}
	s.Ball = Ball{X: Width / 2, Y: Height / 2, VX: rng.IntN(7) - 3, VY: vy}
	s.Wait = ServeWait
	s.hits = 0
}

// step advances the state by one frame with the paddles at hostX and guestX
// (host view). rng draws the next serve after a point.
func (s *State) step(rng *rand.Rand, hostX, guestX int) {
	s.Frame++
	s.Host = ClampPaddle(hostX)
	s.Guest = ClampPaddle(guestX)
	if s.Wait > 0 {
		s.Wait--
		return
	}
	b := &s.Ball
	prevY := b.Y
	b.X += b.VX
	b.Y += b.VY
	// Side walls: reflect.
	if b.X < ballRadius {
		b.X = 2*ballRadius - b.X
		b.VX = -b.VX
	} else if b.X > Width-ballRadius {
		b.X = 2*(Width-ballRadius) - b.X
		b.VX = -b.VX
	}
	reach := PaddleWidth/2 + ballRadius
	switch {
	case b.VY > 0 && prevY+ballRadius <= bottomLine && b.Y+ballRadius >= bottomLine && abs(b.X-s.Host) <= reach:
		b.Y = 2*(bottomLine-ballRadius) - b.Y
		s.bounce(s.Host, -1)
	case b.VY < 0 && prevY-ballRadius >= topLine && b.Y-ballRadius <= topLine && abs(b.X-s.Guest) <= reach:
		b.Y = 2*(topLine+ballRadius) - b.Y
		s.bounce(s.Guest, +1)
	}
	switch {
	case b.Y-ballRadius > Height: // past the host's end
		s.GuestScore++
		s.serve(rng, true)
	case b.Y+ballRadius < 0: // past the guest's end
		s.HostScore++
		s.serve(rng, false)
	}
}

// bounce sends the ball back from the paddle at x, vertically in direction
// dir, a little faster every second hit, and with more sideways speed the
// further from the paddle's centre it hit.
func (s *State) bounce(x, dir int) {
	s.hits++
	speed := min(ServeSpeed+s.hits/2, MaxSpeedY)
	s.Ball.VY = dir * speed
	s.Ball.VX = min(max((s.Ball.X-x)/5, -MaxSpeedX), MaxSpeedX)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
