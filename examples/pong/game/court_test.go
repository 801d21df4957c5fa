package game

import "testing"

func TestFlipIsAnInvolution(t *testing.T) {
	t.Parallel()
	balls := []Ball{{}, {X: 10, Y: 600, VX: -3, VY: 7}, {X: Width, Y: -20, VX: 8, VY: -12}}
	for _, b := range balls {
		if got := Flip(Flip(b)); got != b {
			t.Errorf("Flip(Flip(%+v)) = %+v", b, got)
		}
	}
	for x := minPaddleX; x <= maxPaddleX; x++ {
		if FlipX(FlipX(x)) != x || FlipX(x) != ClampPaddle(FlipX(x)) {
			t.Fatalf("FlipX(%d) = %d: not an involution inside the court", x, FlipX(x))
		}
	}
}

func TestFlipRotatesRectsPixelForPixel(t *testing.T) {
	t.Parallel()
	// Rotating the screen by 180° maps pixel (x, y) to (Width-1-x, Height-1-y).
	rot := func(r Rect) Rect { return Rect{X: Width - r.X - r.W, Y: Height - r.Y - r.H, W: r.W, H: r.H} }
	for _, x := range []int{minPaddleX, 100, Width / 2, 333, maxPaddleX} {
		if got, want := rot(BottomPaddleRect(x)), TopPaddleRect(FlipX(x)); got != want {
			t.Errorf("bottom paddle at %d rotated = %+v, want top paddle %+v", x, got, want)
		}
	}
	for _, b := range []Ball{{X: 6, Y: 6}, {X: 240, Y: 320}, {X: 100, Y: 500, VX: 3, VY: -4}} {
		if got, want := rot(BallRect(b)), BallRect(Flip(b)); got != want {
			t.Errorf("ball %+v rotated = %+v, want %+v", b, got, want)
		}
	}
}

func TestPaddlesStayInTheCourt(t *testing.T) {
	t.Parallel()
	x := Width / 2
	for range 100 {
		x = MoveBy(x, -1)
	}
	if BottomPaddleRect(x).X != 0 {
		t.Errorf("paddle pushed left ends at %+v, want x 0", BottomPaddleRect(x))
	}
	for range 100 {
		x = MoveToward(x, 10*Width)
	}
	if r := BottomPaddleRect(x); r.X+r.W != Width {
		t.Errorf("paddle pushed right ends at %+v, want right edge %d", r, Width)
	}
	if got := MoveToward(200, 203); got != 203 {
		t.Errorf("MoveToward(200, 203) = %d, want 203", got)
	}
	if got := MoveToward(200, 100); got != 200-PaddleSpeed {
		t.Errorf("MoveToward(200, 100) = %d, want %d", got, 200-PaddleSpeed)
	}
}

func TestRectContains(t *testing.T) {
	t.Parallel()
	r := Rect{X: 10, Y: 20, W: 3, H: 2}
	in := [][2]int{{10, 20}, {12, 21}}
	out := [][2]int{{9, 20}, {13, 20}, {10, 22}, {10, 19}}
	for _, p := range in {
		if !r.Contains(p[0], p[1]) {
			t.Errorf("%+v does not contain %v", r, p)
		}
	}
	for _, p := range out {
		if r.Contains(p[0], p[1]) {
			t.Errorf("%+v contains %v", r, p)
		}
	}
}
