package game

import (
	"math/rand/v2"
	"testing"
)

func testRNG() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func TestStepBallBouncesOffSideWalls(t *testing.T) {
	t.Parallel()
	s := State{Ball: Ball{X: ballRadius + 2, Y: 300, VX: -5, VY: 3}, Host: Width / 2, Guest: Width / 2}
	s.step(testRNG(), s.Host, s.Guest)
	if want := (Ball{X: ballRadius + 3, Y: 303, VX: 5, VY: 3}); s.Ball != want {
		t.Errorf("left wall: ball %+v, want %+v", s.Ball, want)
	}
	s.Ball = Ball{X: Width - ballRadius - 1, Y: 300, VX: 4, VY: 3}
	s.step(testRNG(), s.Host, s.Guest)
	if want := (Ball{X: Width - ballRadius - 3, Y: 303, VX: -4, VY: 3}); s.Ball != want {
		t.Errorf("right wall: ball %+v, want %+v", s.Ball, want)
	}
}

func TestStepPaddlesReturnTheBall(t *testing.T) {
	t.Parallel()
	// Host paddle (bottom) 20 px left of the ball: back up, with english to the right.
	s := State{Ball: Ball{X: 200, Y: bottomLine - ballRadius - 2, VX: 0, VY: 5}, Host: 180, Guest: Width / 2}
	s.step(testRNG(), 180, Width/2)
	if s.Ball.VY >= 0 || s.Ball.VX != 4 || s.Ball.Y+ballRadius > bottomLine {
		t.Errorf("host paddle: ball %+v, want it going up, VX 4, above the paddle", s.Ball)
	}
	// Guest paddle (top).
	s = State{Ball: Ball{X: 300, Y: topLine + ballRadius + 1, VX: 2, VY: -6}, Host: Width / 2, Guest: 300}
	s.step(testRNG(), Width/2, 300)
	if s.Ball.VY <= 0 || s.Ball.Y-ballRadius < topLine {
		t.Errorf("guest paddle: ball %+v, want it going down, below the paddle", s.Ball)
	}
	if s.HostScore != 0 || s.GuestScore != 0 {
		t.Errorf("score %d:%d after two returns", s.HostScore, s.GuestScore)
	}
}

func TestStepScoresAndServes(t *testing.T) {
	t.Parallel()
	// The ball passes the host's paddle (far away) and leaves at the bottom.
	s := State{Ball: Ball{X: 50, Y: Height - 2, VX: 0, VY: 12}, Host: 400, Guest: 240}
	s.step(testRNG(), 400, 240)
	if s.GuestScore != 1 || s.HostScore != 0 {
		t.Fatalf("score %d:%d, want 0:1", s.HostScore, s.GuestScore)
	}
	if s.Ball.X != Width/2 || s.Ball.Y != Height/2 || s.Ball.VY != ServeSpeed || s.Wait != ServeWait {
		t.Errorf("serve %+v wait %d: want the centre, toward the host, waiting %d", s.Ball, s.Wait, ServeWait)
	}
	// While waiting, the ball does not move; then it does.
	b := s.Ball
	for range ServeWait {
		s.step(testRNG(), 400, 240)
	}
	if s.Ball != b || s.Wait != 0 {
		t.Fatalf("after the wait: ball %+v wait %d, want %+v and 0", s.Ball, s.Wait, b)
	}
	s.step(testRNG(), 400, 240)
	if s.Ball.Y != Height/2+ServeSpeed {
		t.Errorf("first move after the serve: y %d, want %d", s.Ball.Y, Height/2+ServeSpeed)
	}
	// The ball leaves at the top: a point for the host, served toward the guest.
	s = State{Ball: Ball{X: 50, Y: 3, VX: 0, VY: -12}, Host: 400, Guest: 400}
	s.step(testRNG(), 400, 400)
	if s.HostScore != 1 || s.Ball.VY != -ServeSpeed {
		t.Errorf("score %d:%d ball %+v, want 1:0 and a serve toward the guest", s.HostScore, s.GuestScore, s.Ball)
	}
}

func TestPredictXMatchesTheFlight(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		b := Ball{X: ballRadius + rng.IntN(Width-2*ballRadius+1), Y: 100 + rng.IntN(300), VX: rng.IntN(2*MaxSpeedX+1) - MaxSpeedX, VY: 1 + rng.IntN(MaxSpeedY)}
		want := PredictX(b)
		hostX := minPaddleX // out of the ball's way
		if want < Width/2 {
			hostX = maxPaddleX
		}
		s := State{Ball: b, Host: hostX, Guest: Width / 2}
		// Step while the next step keeps the ball's edge at or above the
		// paddle line: the last such position is the predicted one.
		for s.Ball.Y+s.Ball.VY <= bottomLine-ballRadius {
			s.step(rng, hostX, Width/2)
		}
		if s.Ball.X != want {
			t.Errorf("ball %+v: predicted x %d, flight reaches %d", b, want, s.Ball.X)
		}
	}
}

func TestAIIsDeterministicAndReturnsTheBall(t *testing.T) {
	t.Parallel()
	b := Ball{X: 100, Y: 200, VX: 3, VY: 6}
	a1, a2 := NewAI(9, HostStream), NewAI(9, HostStream)
	x1, x2 := Width/2, Width/2
	for range 50 {
		x1, x2 = a1.Move(x1, b), a2.Move(x2, b)
		if x1 != x2 {
			t.Fatalf("same seed, different moves: %d, %d", x1, x2)
		}
	}
	if d := abs(x1 - (PredictX(b) + a1.aim)); d != 0 {
		t.Errorf("after 50 frames the AI is %d px from its target", d)
	}
	// A ball going away: back to the centre.
	for range 50 {
		x1 = a1.Move(x1, Ball{X: 10, Y: 300, VX: 1, VY: -5})
	}
	if x1 != Width/2 {
		t.Errorf("ball going away: paddle at %d, want the centre", x1)
	}
}
