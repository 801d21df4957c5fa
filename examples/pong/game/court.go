package game

// Court geometry, in pixels, and speeds, in pixels per frame. The court is
// portrait: the local player's paddle is at the bottom, the opponent's at
// the top. Positions are the centres of the paddles and of the ball.
const (
	Width  = 480 // court width
	Height = 640 // court height

	PaddleWidth  = 80
	PaddleHeight = 12
	PaddleInset  = 32 // distance from a court end to a paddle's centre line
	PaddleSpeed  = 8  // most a paddle moves in one frame

	BallSize   = 12 // side of the square ball
	ServeSpeed = 5  // vertical speed of a served ball
	MaxSpeedY  = 12 // vertical speed limit
	MaxSpeedX  = 8  // horizontal speed limit
	ServeWait  = 45 // frames the ball rests at the centre before a serve

	FPS = 60 // steps per second

	ballRadius = BallSize / 2
	// bottomLine is the y of the bottom paddle's top edge, topLine that of
	// the top paddle's bottom edge (topLine == Height-bottomLine).
	bottomLine = Height - PaddleInset - PaddleHeight/2
	topLine    = PaddleInset + PaddleHeight/2
	minPaddleX = PaddleWidth / 2
	maxPaddleX = Width - PaddleWidth/2
)

// Ball is the ball's centre and velocity.
type Ball struct {
	X, Y   int
	VX, VY int
}

// Rect is a screen rectangle: top-left corner and size.
type Rect struct {
	X, Y, W, H int
}

// Contains reports whether the pixel (x, y) lies inside r.
func (r Rect) Contains(x, y int) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// FlipX rotates a paddle's centre x by 180°: from the sender's view into the
// receiver's, and back (FlipX(FlipX(x)) == x).
func FlipX(x int) int { return Width - x }

// Flip rotates the ball by 180° about the court's centre: position and
// velocity. Flip(Flip(b)) == b.
func Flip(b Ball) Ball {
	return Ball{X: Width - b.X, Y: Height - b.Y, VX: -b.VX, VY: -b.VY}
}

// ClampPaddle keeps a paddle centre x inside the court.
func ClampPaddle(x int) int {
	return min(max(x, minPaddleX), maxPaddleX)
}

// MoveToward moves the paddle at x toward target by at most PaddleSpeed and
// keeps it inside the court.
func MoveToward(x, target int) int {
	d := min(max(target-x, -PaddleSpeed), PaddleSpeed)
	return ClampPaddle(x + d)
}

// MoveBy moves the paddle at x by dir (-1 left, 0, +1 right) times
// PaddleSpeed, as a held key does; it keeps the paddle inside the court.
func MoveBy(x, dir int) int {
	return ClampPaddle(x + dir*PaddleSpeed)
}

// BottomPaddleRect is the rectangle of the paddle at the bottom (the local
// player's) with its centre at x.
func BottomPaddleRect(x int) Rect {
	return Rect{X: x - PaddleWidth/2, Y: bottomLine, W: PaddleWidth, H: PaddleHeight}
}

// TopPaddleRect is the rectangle of the paddle at the top (the opponent's)
// with its centre at x.
func TopPaddleRect(x int) Rect {
	return Rect{X: x - PaddleWidth/2, Y: topLine - PaddleHeight, W: PaddleWidth, H: PaddleHeight}
}

// BallRect is the rectangle of the ball.
func BallRect(b Ball) Rect {
	return Rect{X: b.X - ballRadius, Y: b.Y - ballRadius, W: BallSize, H: BallSize}
}
