package messenger

import (
	"errors"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// waitSignal waits for a signal on ch (no polling: a Messenger that does
// not signal fails the test after a long deadline).
func waitSignal(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("no Notify signal for %s", what)
	}
}

// sleepUntil waits on ch, as a program with nothing else to do would,
// until step (an Xfer and Gets) returns true; it returns the number of
// waits. Before each wait it calls Ready on m, and skips the wait when m
// has something to do already.
func sleepUntil(t *testing.T, m *Messenger, ch <-chan struct{}, what string, step func() bool) (waits int) {
	t.Helper()
	for !step() {
		if m.Ready() {
			continue
		}
		waits++
		if waits > 50 {
			t.Fatalf("%s: %d waits, and still nothing", what, waits)
		}
		waitSignal(t, ch, what)
	}
	return waits
}

// TestNotifyWakesOnMessage: a program that sleeps on the Notify channel
// (after Ready) wakes for a message, on a hot direct connection (where no
// goroutine watches the socket until Ready asks) and on the others, and
// for the peer's end.
func TestNotifyWakesOnMessage(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{})
		ch := make(chan struct{}, 1)
		a.Notify(ch)
		for round := range 3 {
			// A message each way just before: a direct connection is hot.
			if err := b.Send(&position{ID: uint32(round)}); err != nil {
				t.Fatal(err)
			}
			recvN(t, a, 1, b)
			xferOK(t, a)
			if a.Get() != nil {
				t.Fatal("a message too many")
			}
			ready := a.Ready()
			if err := b.Send(&position{ID: 100 + uint32(round)}); err != nil {
				t.Fatal(err)
			}
			xferOK(t, b)
			if err := b.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if !ready {
				waitSignal(t, ch, "the message")
			}
			var got message.Message
			sleepUntil(t, a, ch, "the message", func() bool {
				xferOK(t, a)
				got = a.Get()
				return got != nil
			})
			if p, ok := got.(*position); !ok || p.ID != 100+uint32(round) {
				t.Fatalf("got %v", got)
			}
		}
		// The peer's end wakes it too.
		xferOK(t, a)
		a.Ready()
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		var err error
		sleepUntil(t, a, ch, "the end", func() bool {
			err = a.Xfer()
			return err != nil
		})
		if !errors.Is(err, ErrPeerClosed) {
			t.Fatalf("Xfer = %v, want ErrPeerClosed", err)
		}
	})
}

// TestNotifyTicksWhileWaiting: after a hot direct connection stopped its
// ticker, a program that sleeps on the Notify channel still gets its
// ticks (pings, the PeerTimeout check): Ready starts the ticker again.
func TestNotifyTicksWhileWaiting(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		o := fastPings(Options{PeerTimeout: time.Hour})
		a, b := newPair(t, tr, pairConfig{optsA: o, optsB: fastPings(Options{PeerTimeout: time.Hour})})
		ch := make(chan struct{}, 1)
		a.Notify(ch)
		if err := b.Send(&position{ID: 1}); err != nil {
			t.Fatal(err)
		}
		recvN(t, a, 1, b) // hot now
		start := a.ticks
		sleepUntil(t, a, ch, "3 ticks", func() bool {
			xferOK(t, a)
			for a.Get() != nil {
			}
			return a.ticks >= start+3
		})
	})
}

// TestNotifyNone: without Notify, and after Notify(nil), Ready still
// reports what is pending and nothing is sent anywhere.
func TestNotifyNone(t *testing.T) {
	a, b := newPair(t, tcpTransport, pairConfig{})
	ch := make(chan struct{}, 1)
	a.Notify(ch)
	a.Notify(nil)
	select { // a signal sent before Notify(nil)
	case <-ch:
	default:
	}
	if err := b.Send(&position{ID: 1}); err != nil {
		t.Fatal(err)
	}
	xferOK(t, b)
	poll(t, "Ready", a.Ready)
	recvN(t, a, 1)
	select {
	case <-ch:
		t.Fatal("a signal after Notify(nil)")
	default:
	}
}
