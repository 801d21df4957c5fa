package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// idleTimeout ends a headless game when the peer sends nothing for this long.
const idleTimeout = 10 * time.Second

// errPeerQuit: the other player left the game (MsgQuit).
var errPeerQuit = errors.New("the other player quit")

// session is one game with one peer: the link to it, this side's role, and
// this side's paddle.
type session struct {
	m     link
	host  *game.Host  // nil on the guest
	guest *game.Guest // nil on the host
	me    int         // own paddle centre x, own view
	ai    *game.AI    // nil: the keyboard plays
	// lockstep: the headless game, where the guest answers every frame and
	// the host waits for the answers (see package game).
	lockstep bool
	net      *netStats
	stats    messenger.Stats // the link's figures, read each frame (HUD)
	trace    *bufio.Writer   // host only, -trace
	traceF   *os.File
	log      io.Writer
}

// newSession starts this side's game. useAI gives the paddle to the AI
// (headless, -ai, or a terminal, which has no keyboard).
func newSession(m link, o *options, hosting, useAI bool, log io.Writer) (*session, error) {
	s := &session{m: m, me: game.Width / 2, lockstep: o.headless, net: newNetStats(time.Now()), log: log}
	if useAI {
		stream := uint64(game.GuestStream)
		if hosting {
			stream = game.HostStream
		}
		s.ai = game.NewAI(o.seed, stream)
	}
	if !hosting {
		s.guest = game.NewGuest()
		return s, nil
	}
	s.host = game.NewHost(&game.HostConfig{Seed: o.seed, End: uint32(o.frames), Points: o.points})
	if o.trace != "" {
		f, err := os.Create(o.trace)
		if err != nil {
			return nil, err
		}
		s.traceF, s.trace = f, bufio.NewWriter(f)
	}
	return s, nil
}

func (s *session) role() string {
	if s.host != nil {
		return "host"
	}
	return "guest"
}

// send queues a message. A full queue means the peer has not read for
// minutes: the game gives up rather than drop state the guest needs.
func (s *session) send(msg message.Message) error {
	if err := s.m.Send(msg); err != nil {
		return fmt.Errorf("send %s: %w", msg.MessageName(), err)
	}
	s.net.out++
	return nil
}

// start sends the host's frame 0.
func (s *session) start() error {
	if s.host == nil {
		return nil
	}
	s.traceFrame()
	return s.sendHostFrame()
}

func (s *session) sendHostFrame() error {
	if err := s.send(s.host.Ball()); err != nil {
		return err
	}
	return s.send(s.host.Paddle())
}

// handle takes one received message.
func (s *session) handle(msg message.Message) error {
	s.net.in++
	switch msg := msg.(type) {
	case *game.BallMsg:
		if s.guest == nil {
			return errors.New("both players think they host")
		}
		if err := s.guest.OnBall(msg); err != nil {
			return err
		}
		if s.lockstep { // answer every frame
			s.me = s.ai.Move(s.me, s.guest.Ball())
			return s.send(&game.PaddleMsg{Frame: s.guest.Frame(), X: s.me})
		}
	case *game.PaddleMsg:
		if s.host != nil {
			s.host.OnGuestPaddle(msg)
		} else {
			s.guest.OnHostPaddle(msg)
		}
	case *game.PingMsg:
		return s.send(&game.PongMsg{Seq: msg.Seq, Sent: msg.Sent})
	case *game.PongMsg:
		s.net.pong(msg, time.Now())
	case *message.MsgQuit:
		return errPeerQuit
	}
	return nil
}

// drain handles every message Get has.
func (s *session) drain() error {
	for msg := s.m.Get(); msg != nil; msg = s.m.Get() {
		if err := s.handle(msg); err != nil {
			return err
		}
	}
	return nil
}

// stepHost moves the host's paddle (AI or dir), steps the game and sends the
// new frame.
func (s *session) stepHost(dir int) error {
	if s.ai != nil {
		s.me = s.ai.Move(s.me, s.host.State().Ball)
	} else {
		s.me = game.MoveBy(s.me, dir)
	}
	s.host.Step(s.me, s.lockstep)
	s.traceFrame()
	return s.sendHostFrame()
}

// moveGuest moves the guest's paddle (AI or dir) and sends it.
func (s *session) moveGuest(dir int) error {
	if s.ai != nil {
		s.me = s.ai.Move(s.me, s.guest.Ball())
	} else {
		s.me = game.MoveBy(s.me, dir)
	}
	return s.send(&game.PaddleMsg{Frame: s.guest.Frame(), X: s.me})
}

func (s *session) pingIfDue(now time.Time) error {
	if p := s.net.ping(now); p != nil {
		return s.send(p)
	}
	return nil
}

// over reports whether the game has ended on this side: the guest has the
// end frame; the host has the guest's answer to it, so the guest has
// received every frame.
func (s *session) over() bool {
	if s.guest != nil {
		return s.guest.Over()
	}
	if !s.host.Over() {
		return false
	}
	f, ok := s.host.GuestFrame()
	return ok && f >= s.host.State().Frame
}

func (s *session) view() game.View {
	if s.host != nil {
		return s.host.View()
	}
	return s.guest.View(s.me)
}

// result is the final line: the same on both sides after a complete game.
func (s *session) result() string {
	var frame uint32
	var hs, gs int
	var digest uint64
	if s.host != nil {
		st := s.host.State()
		frame, hs, gs, digest = st.Frame, st.HostScore, st.GuestScore, s.host.Digest()
	} else {
		b := s.guest.Last()
		frame, hs, gs, digest = b.Frame, b.HostScore, b.GuestScore, s.guest.Digest()
	}
	return fmt.Sprintf("final frame=%d host=%d guest=%d digest=%016x", frame, hs, gs, digest)
}

func (s *session) traceFrame() {
	if s.trace == nil {
		return
	}
	st := s.host.State()
	fmt.Fprintf(s.trace, "frame=%d ball=%d,%d host=%d guest=%d score=%d:%d\n",
		st.Frame, st.Ball.X, st.Ball.Y, st.Host, st.Guest, st.HostScore, st.GuestScore)
}

// close flushes what is queued (bounded by ctx) and closes the link and the
// trace file. A guest's flush delivers its answer to the end frame, which
// the host waits for.
func (s *session) close(ctx context.Context) error {
	err := s.m.Shutdown(ctx)
	if s.over() {
		// The peer has everything it needs, and may have closed first:
		// what was left to write (a ping, a pong) no longer matters.
		err = nil
	}
	if s.trace != nil {
		if ferr := s.trace.Flush(); ferr != nil && err == nil {
			err = ferr
		}
		if ferr := s.traceF.Close(); ferr != nil && err == nil {
			err = ferr
		}
	}
	return err
}

// runHeadless plays without a screen, as fast as the peer answers. It
// blocks in Recv when there is nothing to do.
func (s *session) runHeadless(ctx context.Context) error {
	if err := s.start(); err != nil {
		return err
	}
	for !s.over() {
		if s.host != nil {
			for s.host.Ready() {
				if err := s.stepHost(0); err != nil {
					return err
				}
			}
		}
		if err := s.pingIfDue(time.Now()); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, idleTimeout)
		msg, err := s.m.Recv(wctx)
		cancel()
		if err != nil {
			return err
		}
		if err := s.handle(msg); err != nil {
			return err
		}
		if err := s.drain(); err != nil {
			return err
		}
		s.net.update(time.Now())
	}
	return nil
}
