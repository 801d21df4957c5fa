//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package messenger

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// TestPeerConnIsDirect: a Messenger on a connector's Peer.Conn does its I/O
// on the socket directly (no reader goroutine), and the connector still
// learns at once when that I/O ends: the peer is dropped with io.EOF by the
// time Xfer reports ErrPeerClosed, without waiting for a sweep.
func TestPeerConnIsDirect(t *testing.T) {
	d := startDiscovered(t)
	ca, cb := d.next(t)
	if _, ok := ca.(DirectConn); !ok {
		t.Fatalf("Peer.Conn %T is not a DirectConn", ca)
	}
	a, b, errA, errB := newBoth(ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec()})
	if errA != nil || errB != nil {
		ca.Close()
		cb.Close()
		t.Fatal(errA, errB)
	}
	defer a.Close()
	defer b.Close()
	if a.raw == nil || b.raw == nil {
		t.Fatal("a Messenger on Peer.Conn reads through a goroutine, not directly")
	}
	if a.raw.direct == nil {
		t.Fatal("the Peer.Conn is not told of direct I/O failures")
	}
	if err := b.Send(&position{ID: 7}); err != nil {
		t.Fatal(err)
	}
	got := recvN(t, a, 1, b)
	if got[0].(*position).ID != 7 {
		t.Fatalf("got %+v", got[0])
	}
	if a.live.Load() != 1 {
		t.Errorf("%d goroutines run for a, want only watch", a.live.Load())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := xferUntilErr(t, a); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("Xfer after the peer closed = %v, want ErrPeerClosed", err)
	}
	// SocketFailed ran inside that Xfer: the connector dropped b already.
	for _, p := range d.a.Peers() {
		if p.Conn == ca {
			t.Fatal("the connector still lists the peer after Xfer saw its end")
		}
	}
	select {
	case reason := <-d.aGone:
		if !errors.Is(reason, io.EOF) {
			t.Errorf("OnDisconnect reason %v, want io.EOF", reason)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no OnDisconnect")
	}
}

// TestQuitThenCloseDelivers: Send(MsgQuit); Xfer(); Close() on a Peer.Conn
// delivers the MsgQuit, every time (Xfer writes a frame's few messages to
// the socket itself; Close then drops nothing that was sent).
func TestQuitThenCloseDelivers(t *testing.T) {
	runs := 40
	if testing.Short() {
		runs = 10
	}
	d := startDiscovered(t)
	for i := range runs {
		ca, cb := d.next(t)
		a, b, errA, errB := newBoth(ca, cb, pairConfig{codecA: message.NewByteCodec(nil), codecB: message.NewByteCodec(nil)})
		if errA != nil || errB != nil {
			ca.Close()
			cb.Close()
			t.Fatal(errA, errB)
		}
		for range 3 {
			if err := a.Send(&message.MsgJoin{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Send(&message.MsgQuit{}); err != nil {
			t.Fatal(err)
		}
		if err := a.Xfer(); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		var got []message.Message
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var err error
		for err == nil {
			var msg message.Message
			if msg, err = b.Recv(ctx); msg != nil {
				got = append(got, msg)
			}
		}
		cancel()
		b.Close()
		if !errors.Is(err, ErrPeerClosed) {
			t.Errorf("run %d: Recv ended with %v, want ErrPeerClosed", i, err)
		}
		if len(got) != 4 {
			t.Fatalf("run %d: got %d messages of 4", i, len(got))
		}
		if _, ok := got[3].(*message.MsgQuit); !ok {
			t.Fatalf("run %d: last message %T, want the MsgQuit", i, got[3])
		}
	}
}
