package main

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/messenger"
)

// fakeScreen records what the loop draws and ends the loop (by cancelling
// its context) when enough is seen.
type fakeScreen struct {
	draws  int
	last   game.View
	enough func(f *fakeScreen) bool
	cancel context.CancelFunc
}

func (f *fakeScreen) input() (int, bool) { return 0, false }

func (f *fakeScreen) draw(v game.View, role, hud, shot string) error {
	f.draws++
	f.last = v
	if f.enough(f) {
		f.cancel()
	}
	return nil
}

func (f *fakeScreen) close() {}

// pipePair returns two Messengers on the ends of a net.Pipe (no kernel
// buffer: a side that stops reading blocks the other's writes at once). The
// stalled side reads at most 256 bytes ahead and is never pumped.
func pipePair(t *testing.T) (player, stalled *messenger.Messenger) {
	t.Helper()
	c1, c2 := net.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		m   *messenger.Messenger
		err error
	}
	ch := make(chan result, 1)
	go func() {
		m, err := messenger.New(ctx, c2, game.NewCodec(), &messenger.Options{AppID: appID, MaxReadBuffer: messenger.MinReadBuffer})
		ch <- result{m, err}
	}()
	player, err := messenger.New(ctx, c1, game.NewCodec(), &messenger.Options{AppID: appID})
	r := <-ch
	if err != nil || r.err != nil {
		t.Fatalf("hello: %v, %v", err, r.err)
	}
	t.Cleanup(func() {
		player.Close()
		r.m.Close()
	})
	return player, r.m
}

// TestLoopNeverWaitsForTheNetwork runs the game loop against a peer that
// stops reading and sends nothing: the host still steps every frame, the
// guest still draws every frame.
func TestLoopNeverWaitsForTheNetwork(t *testing.T) {
	t.Run("host", func(t *testing.T) {
		player, _ := pipePair(t)
		o := &options{ai: true, points: 7, screenshotFrame: -1}
		s, err := newSession(player, o, true, true, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), gameTimeout)
		defer cancel()
		const frames = 60 // more bytes than the stalled peer reads
		scr := &fakeScreen{cancel: cancel, enough: func(f *fakeScreen) bool { return f.last.Frame >= frames }}
		err = s.runScreen(ctx, scr, o, io.Discard)
		if !errors.Is(err, context.Canceled) || scr.last.Frame < frames {
			t.Fatalf("loop ended with %v at frame %d; want it at frame %d, ended by the test", err, scr.last.Frame, frames)
		}
		if st := player.Stats(); st.WriteQueue == 0 {
			t.Errorf("nothing is queued (%+v): the peer was supposed to stall the writes", st)
		}
	})
	t.Run("guest", func(t *testing.T) {
		player, stalled := pipePair(t)
		// The host sends its frame 0, then nothing more, and reads nothing.
		host := game.NewHost(nil)
		if err := stalled.Send(host.Ball()); err != nil {
			t.Fatal(err)
		}
		if err := stalled.Xfer(); err != nil {
			t.Fatal(err)
		}
		o := &options{ai: true, screenshotFrame: -1}
		s, err := newSession(player, o, false, true, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), gameTimeout)
		defer cancel()
		const draws = 60 // a paddle per frame: more than the peer reads
		scr := &fakeScreen{cancel: cancel, enough: func(f *fakeScreen) bool { return f.draws >= draws && s.guest.Started() }}
		err = s.runScreen(ctx, scr, o, io.Discard)
		if !errors.Is(err, context.Canceled) || scr.draws < draws || !s.guest.Started() {
			t.Fatalf("loop ended with %v after %d draws (started %v); want %d draws, ended by the test", err, scr.draws, s.guest.Started(), draws)
		}
	})
}
