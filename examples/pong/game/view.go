package game

// View is what one player sees: positions in its own view, its own paddle at
// the bottom and the opponent's at the top.
type View struct {
	Frame    uint32 // host frame shown
	Ball     Ball
	Me, Opp  int // paddle centres x
	MyScore  int
	OppScore int
	Over     bool // the end frame has been reached
}

// MeRect returns the rectangle of this player's paddle, at the bottom.
func (v View) MeRect() Rect { return BottomPaddleRect(v.Me) }

// OppRect returns the rectangle of the opponent's paddle, at the top.
func (v View) OppRect() Rect { return TopPaddleRect(v.Opp) }

// BallRect returns the rectangle of the ball.
func (v View) BallRect() Rect { return BallRect(v.Ball) }
