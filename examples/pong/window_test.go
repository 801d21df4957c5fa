package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/examples/pong/sdl"
)

// TestWindowedGameUnderXvfb plays a short game between two windowed players
// on a virtual X display, takes a screenshot in each window, and checks that
// the paddles and the ball are drawn where the game state says: each player
// sees itself at the bottom, and the guest sees the host's state rotated by
// 180°. The test runs itself again under xvfb-run; set PONG_SCREENSHOT_DIR
// to keep the screenshots.
func TestWindowedGameUnderXvfb(t *testing.T) {
	if os.Getenv("PONG_TEST_UNDER_XVFB") == "" {
		if err := sdl.Load(); err != nil {
			t.Skipf("no SDL2 (Debian package libsdl2-2.0-0): %v", err)
		}
		xvfb, err := exec.LookPath("xvfb-run")
		if err != nil {
			t.Skip("no xvfb-run (Debian packages xvfb and xauth)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*gameTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, xvfb, "-a", "-s", "-screen 0 1024x768x24",
			os.Args[0], "-test.run=^TestWindowedGameUnderXvfb$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "PONG_TEST_UNDER_XVFB=1", "PONG_TEST_BIN="+pongBin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("under xvfb-run: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "--- PASS: TestWindowedGameUnderXvfb") {
			t.Fatalf("under xvfb-run the test did not pass:\n%s", out)
		}
		t.Logf("under xvfb-run:\n%s", out)
		return
	}

	dir := os.Getenv("PONG_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	env := []string{"SDL_RENDER_DRIVER=software"} // exact colours in the read-back pixels
	args := func(name string) []string {
		return []string{"-ai", "-frames", "300", "-linger", "0", "-screenshot-frame", "90",
			"-screenshot", filepath.Join(dir, name+".png"), "-trace", filepath.Join(dir, name+".trace")}
	}
	a, b := startPair(t, env, args("a"), args("b"))
	host, guest := roles(t, a, b)
	a.Wait(t, gameTimeout)
	b.Wait(t, gameTimeout)
	if hf, gf := host.Line(t, "final ", 0), guest.Line(t, "final ", 0); hf != gf || !strings.HasPrefix(hf, "final frame=300 ") {
		t.Errorf("final lines: host %q, guest %q: want the same, at frame 300", hf, gf)
	}

	hostShot := parseShot(t, host.Line(t, "screenshot ", 0))
	guestShot := parseShot(t, guest.Line(t, "screenshot ", 0))
	trace := readTrace(t, filepath.Join(dir, map[*proc]string{a: "a", b: "b"}[host]+".trace"))

	// The host draws its own state.
	h := traceAt(t, trace, hostShot.frame)
	want := shot{me: game.BottomPaddleRect(h.host), opp: game.TopPaddleRect(h.guest), ball: game.BallRect(h.ball)}
	if hostShot.role != "host" || hostShot.me != want.me || hostShot.opp != want.opp || hostShot.ball != want.ball {
		t.Errorf("host drew %+v at frame %d; its state says %+v", hostShot, hostShot.frame, want)
	}
	// The guest draws the host's state rotated by 180°.
	g := traceAt(t, trace, guestShot.frame)
	gp := traceAt(t, trace, guestShot.oppFrame)
	if wb, wo := game.BallRect(game.Flip(g.ball)), game.TopPaddleRect(game.FlipX(gp.host)); guestShot.role != "guest" || guestShot.ball != wb || guestShot.opp != wo {
		t.Errorf("guest drew ball %+v, opponent %+v; the host's frames %d and %d flipped give %+v, %+v",
			guestShot.ball, guestShot.opp, guestShot.frame, guestShot.oppFrame, wb, wo)
	}
	if guestShot.me.Y != hostShot.me.Y || guestShot.opp.Y != hostShot.opp.Y {
		t.Errorf("the players do not both see themselves at the bottom: host %+v, guest %+v", hostShot, guestShot)
	}

	// And the pixels say the same.
	for _, s := range []shot{hostShot, guestShot} {
		checkPixels(t, s)
	}
}

// shot is what a "screenshot" line says was drawn.
type shot struct {
	file, role      string
	frame, oppFrame uint32
	me, opp, ball   game.Rect
}

func parseShot(t *testing.T, line string) shot {
	t.Helper()
	var s shot
	r := func(p *game.Rect) []any { return []any{&p.X, &p.Y, &p.W, &p.H} }
	ptrs := append([]any{&s.file, &s.role, &s.frame, &s.oppFrame}, r(&s.me)...)
	ptrs = append(append(ptrs, r(&s.opp)...), r(&s.ball)...)
	if _, err := fmt.Sscanf(line, "screenshot file=%s role=%s frame=%d oppframe=%d me=%d,%d,%d,%d opp=%d,%d,%d,%d ball=%d,%d,%d,%d", ptrs...); err != nil {
		t.Fatalf("screenshot line %q: %v", line, err)
	}
	return s
}

// hostFrame is one line of the host's -trace file.
type hostFrame struct {
	ball        game.Ball
	host, guest int
}

func readTrace(t *testing.T, path string) map[uint32]hostFrame {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	frames := make(map[uint32]hostFrame)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var f uint32
		var h hostFrame
		var hs, gs int
		if _, err := fmt.Sscanf(l, "frame=%d ball=%d,%d host=%d guest=%d score=%d:%d", &f, &h.ball.X, &h.ball.Y, &h.host, &h.guest, &hs, &gs); err != nil {
			t.Fatalf("trace line %q: %v", l, err)
		}
		frames[f] = h
	}
	return frames
}

func traceAt(t *testing.T, trace map[uint32]hostFrame, f uint32) hostFrame {
	t.Helper()
	h, ok := trace[f]
	if !ok {
		t.Fatalf("no frame %d in the host's trace", f)
	}
	return h
}

// checkPixels checks that the ball, then own paddle, then the opponent's
// (the order they are drawn, front to back) fill exactly their rectangles
// with their colours, and that those colours appear nowhere else.
func checkPixels(t *testing.T, s shot) {
	t.Helper()
	f, err := os.Open(s.file)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v", s.file, err)
	}
	if b := img.Bounds(); b != image.Rect(0, 0, game.Width, game.Height) {
		t.Fatalf("%s: %v, want %dx%d", s.file, b, game.Width, game.Height)
	}
	c := func(x rgb) color.RGBA { return color.RGBA{x.r, x.g, x.b, 0xff} }
	objects := []struct {
		name string
		rect game.Rect
		col  color.RGBA
	}{{"ball", s.ball, c(colBall)}, {"own paddle", s.me, c(colMe)}, {"opponent's paddle", s.opp, c(colOpp)}}
	bad := 0
	for y := 0; y < game.Height; y++ {
		for x := 0; x < game.Width; x++ {
			got := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			what := "background"
			for _, o := range objects {
				if o.rect.Contains(x, y) {
					what = o.name
					if got != o.col {
						bad++
						if bad <= 5 {
							t.Errorf("%s (%s): pixel (%d,%d) of the %s is %v, want %v", s.file, s.role, x, y, o.name, got, o.col)
						}
					}
					break
				}
			}
			if what != "background" {
				continue
			}
			for _, o := range objects {
				if got == o.col {
					bad++
					if bad <= 5 {
						t.Errorf("%s (%s): pixel (%d,%d) outside the %s %+v has its colour", s.file, s.role, x, y, o.name, o.rect)
					}
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d bad pixels in all", s.file, bad)
	}
}
