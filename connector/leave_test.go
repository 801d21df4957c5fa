package connector

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// A clean leave — the peer closes its connection, then stops (a goodbye
// beacon) — ends the stream with io.EOF on Peer.Conn, whichever of the FIN
// and the goodbye the connector handles first.

func TestCleanLeaveGoodbyeAfterFIN(t *testing.T) {
	leakcheck.Check(t)
	// The order that used to close the connection under the reader: the
	// FIN is there (nothing unread) when the goodbye is handled.
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.Interval = 10 * time.Minute // no sweep: the goodbye decides
	cfg.PeerTimeout = time.Hour
	a, b := startConnectedPair(t, cfg)
	pb := b.peer(t, a.ID())
	if err := a.peer(t, b.ID()).Conn.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "a's FIN at b", func() bool { return connGone(pb.Conn.(*peerConn).Conn) == io.EOF })
	a.Stop()
	waitFor(t, 10*time.Second, "b drops a", func() bool { return len(b.rec.disconnectsFrom(a.ID())) == 1 })
	if err := b.rec.disconnectsFrom(a.ID())[0]; !errors.Is(err, ErrPeerLeft) {
		t.Errorf("OnDisconnect reason %v, want ErrPeerLeft", err)
	}
	if n, err := pb.Conn.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("Read after a clean leave: %d, %v; want 0, io.EOF", n, err)
	}
	b.Stop()
}

func TestCleanLeaveRace(t *testing.T) {
	leakcheck.Check(t)
	// A reader blocked in Read while the peer says its last words, closes
	// and stops: 30 of 30 end in the words and io.EOF.
	cfg := loopbackConfig(t, freeport.UDP(t))
	for i := range 30 {
		a, b := startConnectedPair(t, cfg)
		pb := b.peer(t, a.ID())
		type result struct {
			got []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			_ = pb.Conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			var got []byte
			buf := make([]byte, 64)
			for {
				n, err := pb.Conn.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					done <- result{got, err}
					return
				}
			}
		}()
		pa := a.peer(t, b.ID())
		if _, err := pa.Conn.Write([]byte("bye")); err != nil {
			t.Fatal(err)
		}
		pa.Conn.Close()
		a.Stop()
		r := <-done
		if string(r.got) != "bye" || r.err != io.EOF {
			t.Fatalf("try %d: read %q, %v; want \"bye\", io.EOF", i, r.got, r.err)
		}
		b.Stop()
	}
}
