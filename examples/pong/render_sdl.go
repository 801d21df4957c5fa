package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/examples/pong/sdl"
)

// rgb is a colour.
type rgb struct{ r, g, b uint8 }

// Colours of the window. Every object has its own, so that a screenshot
// test can find each one.
var (
	colBackground = rgb{16, 18, 32}
	colNet        = rgb{50, 56, 90}
	colText       = rgb{140, 150, 180}
	colMe         = rgb{70, 200, 255}
	colOpp        = rgb{255, 130, 70}
	colBall       = rgb{250, 250, 250}
)

// windowScreen draws the game with SDL and reads the keyboard.
type windowScreen struct {
	w           *sdl.Window
	left, right bool
	quit        bool
}

func openWindow(title string) (*windowScreen, error) {
	w, err := sdl.Open(sdl.Config{Title: title, Width: game.Width, Height: game.Height})
	if err != nil {
		return nil, err
	}
	return &windowScreen{w: w}, nil
}

func (ws *windowScreen) input() (int, bool) {
	for {
		ev, ok := ws.w.PollEvent()
		if !ok {
			break
		}
		down := ev.Type == sdl.EventKeyDown
		switch {
		case ev.Type == sdl.EventQuit:
			ws.quit = true
		case ev.Type != sdl.EventKeyDown && ev.Type != sdl.EventKeyUp:
		case ev.Scancode == sdl.ScancodeLeft || ev.Scancode == sdl.ScancodeA:
			ws.left = down
		case ev.Scancode == sdl.ScancodeRight || ev.Scancode == sdl.ScancodeD:
			ws.right = down
		case ev.Scancode == sdl.ScancodeEscape || ev.Scancode == sdl.ScancodeQ:
			ws.quit = ws.quit || down
		}
	}
	dir := 0
	if ws.left {
		dir--
	}
	if ws.right {
		dir++
	}
	return dir, ws.quit
}

func (ws *windowScreen) color(c rgb) { ws.w.SetColor(c.r, c.g, c.b, 0xff) }

func (ws *windowScreen) fill(r game.Rect) { ws.w.FillRect(r.X, r.Y, r.W, r.H) }

// draw draws, back to front: court, scores and HUD, paddles, ball.
func (ws *windowScreen) draw(v game.View, role, hud, shot string) error {
	ws.color(colBackground)
	ws.w.Clear()
	ws.color(colNet)
	for x := 0; x < game.Width; x += 24 {
		ws.w.FillRect(x+4, game.Height/2-2, 16, 4)
	}
	ws.color(colText)
	textPixels(strconv.Itoa(v.OppScore), 16, game.Height/2-52, 8, ws.w.FillRect)
	textPixels(strconv.Itoa(v.MyScore), 16, game.Height/2+12, 8, ws.w.FillRect)
	textPixels(hud, 6, 6, 2, ws.w.FillRect)
	status := role
	if v.Over {
		status += " - game over"
	}
	textPixels(status, 6, game.Height-16, 2, ws.w.FillRect)

	ws.color(colOpp)
	ws.fill(v.OppRect())
	ws.color(colMe)
	ws.fill(v.MeRect())
	ws.color(colBall)
	ws.fill(v.BallRect())

	if shot != "" {
		img, err := ws.w.ReadPixels()
		if err != nil {
			return err
		}
		if err := sdl.SavePNG(shot, img); err != nil {
			return err
		}
	}
	ws.w.Present()
	return nil
}

func (ws *windowScreen) close() { ws.w.Close() }

// openScreen opens a window, or falls back to the terminal with a message
// saying why.
func openScreen(o *options, title string, out io.Writer) screen {
	if !o.term {
		ws, err := openWindow(title)
		if err == nil {
			return ws
		}
		fmt.Fprintf(out, "pong: no window (%v); playing in the terminal, the computer plays for you\n", err)
	}
	return newTermScreen(out)
}
