package game

import "math/rand/v2"

// AIError is the largest aiming error of the AI, in pixels. A paddle reaches
// a ball up to PaddleWidth/2+BallSize/2 (46) pixels from its centre, so the
// AI misses now and then and points are scored.
const AIError = 60

// AI plays a paddle at the bottom of its own view. It predicts where an
// approaching ball will cross its paddle line, aims there with an error
// drawn once per approach, and drifts back to the centre otherwise. It is
// deterministic: the same seed and the same balls give the same moves.
type AI struct {
	rng         *rand.Rand
	aim         int
	approaching bool
}

// NewAI returns an AI whose aiming errors come from seed and stream (give
// each player its own stream).
func NewAI(seed, stream uint64) *AI {
	return &AI{rng: rand.New(rand.NewPCG(seed, stream))}
}

// Move returns the paddle's next centre x, from its centre x now and the
// ball in the same view (the AI's paddle at the bottom).
func (a *AI) Move(x int, b Ball) int {
	if b.VY <= 0 {
		a.approaching = false
		return MoveToward(x, Width/2)
	}
	if !a.approaching {
		a.approaching = true
		a.aim = a.rng.IntN(2*AIError+1) - AIError
	}
	return MoveToward(x, PredictX(b)+a.aim)
}

// PredictX returns the x at which a ball moving down (VY > 0) reaches the
// bottom paddle's line, bouncing off the side walls on the way. For a ball
// not moving down it returns the ball's x.
func PredictX(b Ball) int {
	if b.VY <= 0 {
		return b.X
	}
	t := (bottomLine - ballRadius - b.Y) / b.VY
	if t < 0 {
		return b.X
	}
	// Unfold the reflections: the ball moves freely on a line of period 2L.
	l := Width - 2*ballRadius
	u := (b.X - ballRadius + b.VX*t) % (2 * l)
	if u < 0 {
		u += 2 * l
	}
	if u > l {
		u = 2*l - u
	}
	return u + ballRadius
}
