package messenger

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/message"
)

// discovered is a pair of loopback BroadcastConnectors, "a" and "b", that
// find each other; each connection they make is handed out by next as the
// Peer.Conn of both ends.
type discovered struct {
	a, b   *connector.BroadcastConnector
	aPeers chan connector.Peer
	bPeers chan connector.Peer
	aGone  chan error // reasons of a's OnDisconnect
}

// startDiscovered starts two connectors on a beacon port of the test's own.
// They are stopped when the test ends (after the Messengers made on their
// conns, which are closed by cleanups registered later).
func startDiscovered(t testing.TB) *discovered {
	t.Helper()
	d := &discovered{
		aPeers: make(chan connector.Peer, 64),
		bPeers: make(chan connector.Peer, 64),
		aGone:  make(chan error, 64),
	}
	port := freeport.UDP(t)
	start := func(name string, peers chan connector.Peer, gone chan error) *connector.BroadcastConnector {
		c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
			AppID:       "messenger-test",
			Name:        name,
			UDPPort:     port,
			Loopback:    true,
			Interval:    50 * time.Millisecond,
			PeerTimeout: 5 * time.Second,
			OnConnect:   func(p connector.Peer) { peers <- p },
			OnDisconnect: func(_ connector.Peer, err error) {
				if gone != nil {
					gone <- err
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Stop() })
		return c
	}
	d.a = start("a", d.aPeers, d.aGone)
	d.b = start("b", d.bPeers, nil)
	return d
}

// next waits for the next connection between a and b and returns a's and
// b's Peer.Conn of it.
func (d *discovered) next(t testing.TB) (aConn, bConn net.Conn) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	var pa, pb connector.Peer
	for pa.Conn == nil || pb.Conn == nil {
		select {
		case pa = <-d.aPeers:
		case pb = <-d.bPeers:
		case <-timeout:
			t.Fatal("the connectors did not connect")
		}
	}
	return pa.Conn, pb.Conn
}

// peerConnTransport: both ends of a connection made by two discovering
// BroadcastConnectors (the README's path: messenger.New on Peer.Conn).
var peerConnTransport = transport{"peerconn", func(t testing.TB) (net.Conn, net.Conn) {
	return startDiscovered(t).next(t)
}}

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
