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

// MeRect, OppRect and BallRect return the rectangles to draw.
func (v View) MeRect() Rect   { return BottomPaddleRect(v.Me) }
func (v View) OppRect() Rect  { return TopPaddleRect(v.Opp) }
func (v View) BallRect() Rect { return BallRect(v.Ball) }
