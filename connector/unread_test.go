package connector

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// Data a peer sent before it closed its connection or stopped must reach
// the user, even when the peer comes back (redials) or says goodbye before
// the user has read it.

// unreadPayload is larger than one read, smaller than a socket buffer.
var unreadPayload = bytes.Repeat([]byte("last words "), 400)

// readToEOF reads c to io.EOF within 10 s.
func readToEOF(t *testing.T, c Peer) []byte {
	t.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c.Conn)
	if err != nil {
		t.Fatalf("reading what the peer sent before it closed: %v after %d of %d bytes", err, len(got), len(unreadPayload))
	}
	return got
}

func TestRedialWaitsForUnreadData(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	a, b := startConnectedPair(t, cfg)

	// x dialed the connection; it writes, closes, and (still beaconing)
	// dials y again while y has not read.
	x, y := a, b
	if !a.peer(t, b.ID()).Outgoing {
		x, y = b, a
	}
	px, py := x.peer(t, y.ID()), y.peer(t, x.ID())
	if _, err := px.Conn.Write(unreadPayload); err != nil {
		t.Fatal(err)
	}
	if err := px.Conn.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "x dials again", func() bool {
		s := x.Stats()
		return s.Dials >= 2 && (s.DialFailures >= 1 || x.rec.connectsTo(y.ID()) >= 2)
	})
	if n := y.rec.connectsTo(x.ID()); n != 1 {
		t.Fatalf("y accepted a new connection (%d OnConnect) while the old one held unread data", n)
	}
	if y.Stats().Rejected == 0 {
		t.Error("y did not reject the redial")
	}
	if got := readToEOF(t, py); !bytes.Equal(got, unreadPayload) {
		t.Fatalf("read %d bytes, want the %d sent", len(got), len(unreadPayload))
	}

	// Read to the end: y drops the old connection and takes the next dial.
	waitFor(t, 10*time.Second, "y's OnDisconnect", func() bool { return len(y.rec.disconnectsFrom(x.ID())) == 1 })
	if err := y.rec.disconnectsFrom(x.ID())[0]; err != io.EOF {
		t.Errorf("reason %v, want io.EOF", err)
	}
	waitFor(t, 10*time.Second, "reconnected", func() bool {
		return x.rec.connectsTo(y.ID()) == 2 && y.rec.connectsTo(x.ID()) == 2 && x.hasPeer(y.ID()) && y.hasPeer(x.ID())
	})
	checkConnWorks(t, x.peer(t, y.ID()), y.peer(t, x.ID()))
	a.Stop()
	b.Stop()
}

// saidGoodbye reports whether c has had x's goodbye: x is marked as left,
// or (when nothing was unread) gone.
func saidGoodbye(c *testPeer, x PeerID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.peers[peerKey{id: x}]
	return e == nil || !e.leftAt.IsZero()
}

func TestGoodbyeKeepsUnreadData(t *testing.T) {
	leakcheck.Check(t)
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.PeerTimeout = time.Minute // the bound is not what is tested here
	a, b := startConnectedPair(t, cfg)
	pb := b.peer(t, a.ID())
	if _, err := a.peer(t, b.ID()).Conn.Write(unreadPayload); err != nil {
		t.Fatal(err)
	}
	a.Stop()
	waitFor(t, 10*time.Second, "b has a's goodbye", func() bool { return saidGoodbye(b, a.ID()) })
	if !b.hasPeer(a.ID()) {
		t.Fatal("b dropped a at its goodbye while a's last data was unread")
	}
	if got := readToEOF(t, pb); !bytes.Equal(got, unreadPayload) {
		t.Fatalf("read %d bytes, want the %d sent", len(got), len(unreadPayload))
	}
	waitFor(t, 10*time.Second, "b's OnDisconnect", func() bool { return len(b.rec.disconnectsFrom(a.ID())) == 1 })
	if err := b.rec.disconnectsFrom(a.ID())[0]; !errors.Is(err, ErrPeerLeft) {
		t.Errorf("reason %v, want ErrPeerLeft", err)
	}
	waitFor(t, 10*time.Second, "a forgotten", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.peers[peerKey{id: a.ID()}] == nil
	})
	b.Stop()
}

func TestGoodbyeUnreadDataBounded(t *testing.T) {
	leakcheck.Check(t)
	// A user that never reads does not keep a peer that said goodbye
	// forever: it is dropped PeerTimeout after the goodbye.
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.PeerTimeout = 300 * time.Millisecond
	a, b := startConnectedPair(t, cfg)
	if _, err := a.peer(t, b.ID()).Conn.Write(unreadPayload); err != nil {
		t.Fatal(err)
	}
	a.Stop()
	waitFor(t, 10*time.Second, "b drops a", func() bool { return len(b.rec.disconnectsFrom(a.ID())) == 1 })
	if err := b.rec.disconnectsFrom(a.ID())[0]; !errors.Is(err, ErrPeerLeft) {
		t.Errorf("reason %v, want ErrPeerLeft", err)
	}
	if b.hasPeer(a.ID()) {
		t.Error("a still listed")
	}
	b.Stop()
}
