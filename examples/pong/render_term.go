package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cablecar-go/cablecar/examples/pong/game"
)

// The terminal court: one character per cell of cellW x cellH pixels.
const (
	cellW     = 12
	cellH     = 24
	termCols  = game.Width / cellW
	termRows  = game.Height / cellH
	termEvery = 6 // draw every 6th frame: 10 times a second
)

// termScreen draws the court with characters. It has no keyboard: in the
// terminal the computer plays (newSession gives the session an AI).
type termScreen struct {
	out   io.Writer
	frame int
	grid  [termRows][termCols]byte
	sb    strings.Builder
}

func newTermScreen(out io.Writer) *termScreen { return &termScreen{out: out} }

func (ts *termScreen) input() (int, bool) { return 0, false }

func (ts *termScreen) draw(v game.View, role, hud, shot string) error {
	ts.frame++
	if ts.frame%termEvery != 1 && !v.Over {
		return nil
	}
	for r := range ts.grid {
		for c := range ts.grid[r] {
			ts.grid[r][c] = ' '
		}
	}
	plot := func(rect game.Rect, ch byte) {
		for y := rect.Y / cellH; y <= (rect.Y+rect.H-1)/cellH; y++ {
			for x := rect.X / cellW; x <= (rect.X+rect.W-1)/cellW; x++ {
				if y >= 0 && y < termRows && x >= 0 && x < termCols {
					ts.grid[y][x] = ch
				}
			}
		}
	}
	plot(v.OppRect(), '=')
	plot(v.MeRect(), '#')
	plot(v.BallRect(), 'o')

	sb := &ts.sb
	sb.Reset()
	sb.WriteString("\x1b[H\x1b[2J")
	fmt.Fprintf(sb, "pong (%s)  you %d : %d them  %s\n", role, v.MyScore, v.OppScore, hud)
	sb.WriteString("+" + strings.Repeat("-", termCols) + "+\n")
	for _, row := range ts.grid {
		sb.WriteByte('|')
		sb.Write(row[:])
		sb.WriteString("|\n")
	}
	sb.WriteString("+" + strings.Repeat("-", termCols) + "+\n")
	_, err := io.WriteString(ts.out, sb.String())
	return err
}

func (ts *termScreen) close() {}
