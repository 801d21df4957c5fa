package proctest

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/examples/arena/game"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// A game of three, one of them in an Ebitengine window on an Xvfb
// display (the other two headless): the window writes the frame in which
// it first sees all three players moved (its -screenshot), and the frame
// holds each player's disc, in its slot's colour, where the world says,
// and this player's white ring. Set ARENA_SCREENSHOT_DIR to keep the
// PNG.
func TestWindowUnderXvfb(t *testing.T) {
	leakcheck.Check(t)
	if noWindow != "" {
		t.Skip("no Ebitengine window here: " + noWindow)
	}
	if windowErr != "" {
		t.Fatal("go build with cgo: " + windowErr)
	}
	xvfb, err := exec.LookPath("xvfb-run")
	if err != nil {
		t.Skip("no xvfb-run (Debian packages xvfb and xauth)")
	}
	dir := os.Getenv("ARENA_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shotFile := filepath.Join(dir, "arena.png")
	port := freeport.UDP(t)
	for i := range 2 {
		start(t, fmt.Sprint("headless ", i), headlessBin, append([]string{"-headless"}, gameArgs(port, 3)...)...)
	}
	// xvfb-run -a picks a free display number; the window's own output is
	// its stdout.
	args := append([]string{"-a", "-s", "-screen 0 1024x768x24", windowBin, "-script", "-screenshot", shotFile}, gameArgs(port, 3)...)
	w := start(t, "window", xvfb, args...)
	me := strings.TrimPrefix(w.Line(t, "me ", 20*time.Second), "me ")
	shot := w.Line(t, "screenshot ", 60*time.Second)
	w.Wait(t, 20*time.Second)

	ps := parsePlayers(t, shot)
	if len(ps) != 3 {
		t.Fatalf("the screenshot's world holds %d players, want 3: %q", len(ps), shot)
	}
	f, err := os.Open(field(t, shot, "file"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b != image.Rect(0, 0, game.Width, game.Height) {
		t.Fatalf("frame %v, want %dx%d", b, game.Width, game.Height)
	}
	at := func(x, y int) color.RGBA { return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) }

	// Slot by slot, in the order of the world's players (PlayerList):
	// count each colour's pixels inside and outside its disc.
	inside := func(p player, x, y, r int) bool { dx, dy := x-p.x, y-p.y; return dx*dx+dy*dy <= r*r }
	for slot, p := range ps {
		want := game.Colors[slot]
		in, out := 0, 0
		for y := range game.Height {
			for x := range game.Width {
				if at(x, y) != want {
					continue
				}
				if inside(p, x, y, game.Radius+1) {
					in++
				} else {
					out++
				}
			}
		}
		// A disc of radius 16 is about 800 pixels; its edge may go either way.
		if area := 3 * game.Radius * game.Radius; in < area || out > 0 {
			t.Errorf("player %s (slot %d, %v) at %d,%d: %d pixels of its colour in its disc (want at least %d), %d outside",
				p.id, slot, want, p.x, p.y, in, area, out)
		}
		if c := at(p.x, p.y); c != want {
			t.Errorf("player %s: centre pixel %v, want %v", p.id, c, want)
		}
	}
	// This player's ring, just outside its disc; the background far away.
	for _, p := range ps {
		if p.id != me {
			continue
		}
		if c := at(p.x+game.Radius+3, p.y); c != (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("own ring at %d,%d: %v, want white", p.x+game.Radius+3, p.y, c)
		}
	}
	if c := at(game.Width/2, game.Height/2); c != game.Background {
		t.Errorf("centre of the arena: %v, want the background %v", c, game.Background)
	}
}
