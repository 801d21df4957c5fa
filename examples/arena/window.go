//go:build !linux || cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"time"

	"github.com/cablecar-go/cablecar/examples/arena/game"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/ebitenutil"
	"github.com/hajimehoshi/ebiten/v2/vector"
)

// arena is the Ebitengine side: Update runs one Session tick, Draw draws
// the world as this peer sees it.
type arena struct {
	ctx    context.Context
	s      *game.Session
	c      *config
	out    io.Writer
	goal   *game.Goal
	tick   int
	shot   bool // the screenshot is to be taken in the next Draw
	err    error
	status string
	start  time.Time
}

// window runs the game in an Ebitengine window until Esc, the window is
// closed, or -ticks / -players says it is over.
func window(ctx context.Context, s *game.Session, c *config, stdout io.Writer) error {
	ebiten.SetWindowSize(game.Width, game.Height)
	ebiten.SetWindowTitle("cablecar arena")
	g := &arena{ctx: ctx, s: s, c: c, out: stdout, goal: game.NewGoal(c.Players), start: time.Now()}
	if err := ebiten.RunGame(g); err != nil {
		return err
	}
	return g.err
}

// keys reads the arrow keys (or WASD).
func keys() game.Keys {
	var k game.Keys
	for _, b := range []struct {
		bit  game.Keys
		keys [2]ebiten.Key
	}{
		{game.Left, [2]ebiten.Key{ebiten.KeyArrowLeft, ebiten.KeyA}},
		{game.Right, [2]ebiten.Key{ebiten.KeyArrowRight, ebiten.KeyD}},
		{game.Up, [2]ebiten.Key{ebiten.KeyArrowUp, ebiten.KeyW}},
		{game.Down, [2]ebiten.Key{ebiten.KeyArrowDown, ebiten.KeyS}},
	} {
		if ebiten.IsKeyPressed(b.keys[0]) || ebiten.IsKeyPressed(b.keys[1]) {
			k |= b.bit
		}
	}
	return k
}

// Update is one tick (60 a second): the Room and the replica are pumped
// here, on Ebitengine's game loop, and never block it.
func (g *arena) Update() error {
	if g.ctx.Err() != nil || ebiten.IsKeyPressed(ebiten.KeyEscape) || g.err != nil {
		return ebiten.Termination
	}
	if g.c.Done(g.tick, g.goal) && (g.c.screenshot == "" || !g.shot && !g.goal.Reached.IsZero()) {
		fmt.Fprintf(g.out, "final %s players=%s\n", g.s, game.PlayerList(g.s.World()))
		return ebiten.Termination
	}
	if g.c.Timeout > 0 && g.goal.Reached.IsZero() && time.Since(g.start) > g.c.Timeout {
		g.err = fmt.Errorf("%d players not reached in %v: %s players=%s", g.c.Players, g.c.Timeout, g.s, game.PlayerList(g.s.World()))
		return ebiten.Termination
	}
	k := keys()
	if g.c.script {
		k = game.Script(g.s.ID(), uint32(g.tick))
	}
	g.tick++
	if err := g.s.Tick(k); err != nil {
		g.err = err
		return ebiten.Termination
	}
	if g.goal.See(g.s.World()) {
		fmt.Fprintf(g.out, "seen %s players=%s\n", g.s, game.PlayerList(g.s.World()))
		g.shot = g.c.screenshot != ""
	}
	if g.tick%game.TicksPerSecond == 1 { // the status line: at once, then every second
		g.status = g.s.String()
	}
	return nil
}

var white = color.RGBA{0xff, 0xff, 0xff, 0xff}

// Draw draws each player as a disc of its slot's colour, this one with a
// white ring, and the status line.
func (g *arena) Draw(screen *ebiten.Image) {
	screen.Fill(game.Background)
	w := g.s.World()
	for i, p := range w.Players {
		if p.ID == 0 {
			continue
		}
		x, y := float32(p.X), float32(p.Y)
		if p.ID == g.s.ID() {
			vector.StrokeCircle(screen, x, y, game.Radius+3, 2, white, false)
		}
		vector.DrawFilledCircle(screen, x, y, game.Radius, game.Colors[i], false)
	}
	ebitenutil.DebugPrint(screen, g.status)
	if g.shot {
		g.shot = false
		if err := g.writeShot(screen, w); err != nil {
			g.err = err
		}
	}
}

// writeShot writes the frame just drawn to -screenshot.
func (g *arena) writeShot(screen *ebiten.Image, w game.World) error {
	b := screen.Bounds()
	img := image.NewRGBA(b)
	screen.ReadPixels(img.Pix)
	f, err := os.Create(g.c.screenshot)
	if err != nil {
		return err
	}
	if err := errors.Join(png.Encode(f, img), f.Close()); err != nil {
		return err
	}
	fmt.Fprintf(g.out, "screenshot file=%s size=%dx%d players=%s\n", g.c.screenshot, b.Dx(), b.Dy(), game.PlayerList(w))
	return nil
}

// Layout keeps the arena's size whatever the window's.
func (g *arena) Layout(int, int) (int, int) { return game.Width, game.Height }
