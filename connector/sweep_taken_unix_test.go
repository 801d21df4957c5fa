//go:build unix

package connector

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestSweepAfterReadTookError: a connection is reset while a Read waits on
// it; the Read takes the socket's error (ECONNRESET, handed out once) and,
// before it can report it, the sweep peeks at the socket, which now shows
// only a bare end of stream. The peer must be dropped with the Read's
// error, and the Read must return it. The sweep dropping it for io.EOF
// made a pulled cable (the Messenger's read took ETIMEDOUT) look like a
// clean end in TestCpumonNetnsThreeHosts.
func TestSweepAfterReadTookError(t *testing.T) {
	a, pa, pb, gone := resetPair(t)

	a.mu.Lock() // the sweep's lock: a's own sweep waits too
	res := make(chan error, 1)
	go func() {
		_, err := pa.Read(make([]byte, 1))
		res <- err
	}()
	abort(t, pb)
	waitForFrame(t, "connector.(*BroadcastConnector).connFailed") // the Read took the reset
	a.sweepLocked(time.Now())
	a.mu.Unlock()

	select {
	case err := <-res:
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("Read = %v, want the reset it read", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return")
	}
	if err := gone(); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("OnDisconnect reason = %v, want the reset", err)
	}
}

// TestSweepDropsTakenError: a reader that takes a reset's error without
// telling the connector (raw I/O on SyscallConn, bypassing the wrapper)
// leaves the sweep only a bare end of stream: the first sweep waits for
// that reader's report, the second drops the peer.
func TestSweepDropsTakenError(t *testing.T) {
	a, pa, pb, gone := resetPair(t)
	rc, err := pa.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var rerr error
	abort(t, pb)
	if err := rc.Read(func(fd uintptr) bool {
		_, rerr = syscall.Read(int(fd), make([]byte, 1))
		return rerr != syscall.EAGAIN
	}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(rerr, syscall.ECONNRESET) {
		t.Fatalf("raw read = %v, want ECONNRESET", rerr)
	}
	connected := func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		e := a.peers[pa.key]
		return e != nil && e.conn == pa
	}
	a.sweep(time.Now())
	if !connected() {
		t.Fatal("the first sweep dropped the peer: it must leave it to the reader that took the error")
	}
	a.sweep(time.Now())
	if connected() {
		t.Fatal("the second sweep left the peer connected")
	}
	if err := gone(); err != io.EOF {
		t.Errorf("OnDisconnect reason = %v, want io.EOF", err)
	}
}

// resetPair starts two connectors on loopback and returns the first, its
// connection to the second (pa, still registered), the second's end of
// that same connection (pb) and the reasons of the first's OnDisconnect
// for pa's peer. The sweeps run rarely (a long Interval): the test runs
// them.
func resetPair(t *testing.T) (a *BroadcastConnector, pa, pb *peerConn, gone func() error) {
	t.Helper()
	leakcheck.Check(t)
	port := freeport.UDP(t)
	fromA, fromB := make(chan Peer, 8), make(chan Peer, 8)
	type disc struct {
		conn net.Conn
		err  error
	}
	discs := make(chan disc, 8)
	start := func(got chan Peer, onDisc func(Peer, error)) *BroadcastConnector {
		cfg := BroadcastConfig{AppID: "sweep-taken", UDPPort: port, Loopback: true,
			Interval: 100 * time.Millisecond, PeerTimeout: time.Minute,
			OnConnect: func(p Peer) { got <- p }, OnDisconnect: onDisc}
		c, err := NewBroadcastConnector(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Stop() })
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return c
	}
	var as, bs []*peerConn
	a = start(fromA, func(p Peer, err error) { discs <- disc{p.Conn, err} })
	start(fromB, func(Peer, error) {})
	registered := func(pc *peerConn) bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		e := a.peers[pc.key]
		return e != nil && e.conn == pc
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-fromA:
			as = append(as, p.Conn.(*peerConn))
		case p := <-fromB:
			bs = append(bs, p.Conn.(*peerConn))
		case <-deadline:
			t.Fatal("no connection")
		}
		for _, x := range as {
			for _, y := range bs {
				if x.LocalAddr().String() == y.RemoteAddr().String() && registered(x) {
					gone := func() error {
						t.Helper()
						for {
							select {
							case d := <-discs:
								if d.conn == x {
									return d.err
								}
							case <-time.After(10 * time.Second):
								t.Fatal("no OnDisconnect")
							}
						}
					}
					return a, x, y, gone
				}
			}
		}
	}
}

// abort resets pc's connection (SO_LINGER 0, then close), behind its
// connector's back.
func abort(t *testing.T, pc *peerConn) {
	t.Helper()
	tc := pc.NetConn().(*net.TCPConn)
	if err := tc.SetLinger(0); err != nil {
		t.Fatal(err)
	}
	if err := tc.Close(); err != nil {
		t.Fatal(err)
	}
}
