package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/message"
)

// screen is where a game is shown and played: a window or a terminal.
type screen interface {
	// input returns where the player pushes the paddle (-1 left, 0, +1
	// right) and whether they asked to quit. It never blocks.
	input() (dir int, quit bool)
	// draw shows one frame; with shot != "" it also saves it to that PNG
	// file (a window only).
	draw(v game.View, role, hud string, shot string) error
	close()
}

// runScreen is the game loop: a fixed 60 Hz tick that reads the input,
// calls Xfer, drains Get, steps (host) or moves (guest), which Sends, calls
// Xfer again so that what this frame sent leaves now rather than with the
// next frame's Xfer (a whole frame later), and draws. It
// never waits for the network: when nothing arrives the host steps anyway
// with the guest's last paddle, and the guest shows the last state it has.
func (s *session) runScreen(ctx context.Context, scr screen, o *options, out io.Writer) error {
	if err := s.start(); err != nil {
		return err
	}
	tick := time.NewTicker(time.Second / game.FPS)
	defer tick.Stop()
	var endAt time.Time // while the final score is shown
	for frame := 0; ; frame++ {
		dir, quit := scr.input()
		if quit {
			return s.send(&message.MsgQuit{})
		}
		if err := s.m.Xfer(); err != nil && !s.over() {
			return err
		}
		if err := s.drain(); err != nil {
			return err
		}
		if err := s.move(dir); err != nil && !s.over() {
			return err
		}
		now := time.Now()
		if !s.over() {
			if err := s.pingIfDue(now); err != nil {
				return err
			}
		}
		if err := s.m.Xfer(); err != nil && !s.over() {
			return err
		}
		s.net.update(now)
		s.net.readLink(s.m, &s.stats)

		v := s.view()
		shot := ""
		if frame == o.screenshotFrame {
			shot = o.screenshot
		}
		if err := scr.draw(v, s.role(), s.net.String(), shot); err != nil {
			return err
		}
		if shot != "" {
			fmt.Fprintln(out, s.shotLine(shot, v))
		}

		if s.over() {
			if endAt.IsZero() {
				endAt = now.Add(o.linger)
			}
			if !now.Before(endAt) {
				return nil
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// move plays this side's part of a frame: the host steps the game, the
// guest moves its paddle and sends it (also after the end, so that the host
// learns the guest has the end frame).
func (s *session) move(dir int) error {
	switch {
	case s.host != nil && !s.host.Over():
		return s.stepHost(dir)
	case s.guest != nil && s.guest.Started():
		return s.moveGuest(dir)
	}
	return nil
}

// shotLine says what a screenshot shows, for tests: the rectangles drawn,
// in window pixels.
func (s *session) shotLine(file string, v game.View) string {
	rect := func(r game.Rect) string { return fmt.Sprintf("%d,%d,%d,%d", r.X, r.Y, r.W, r.H) }
	oppFrame := v.Frame
	if s.guest != nil {
		oppFrame = s.guest.HostPaddleFrame()
	}
	return fmt.Sprintf("screenshot file=%s role=%s frame=%d oppframe=%d me=%s opp=%s ball=%s",
		file, s.role(), v.Frame, oppFrame, rect(v.MeRect()), rect(v.OppRect()), rect(v.BallRect()))
}
