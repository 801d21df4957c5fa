package connector

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestSocketFailedDuringDrop: the Messenger reads the end of the stream
// (io.EOF) while the connector's sweep drops the silent peer, whose
// socket error (ETIMEDOUT) the sweep's peek has just taken. SocketFailed
// must then report the connector's reason, not the bare io.EOF, which
// made a pulled cable look like a clean leave.
func TestSocketFailedDuringDrop(t *testing.T) {
	leakcheck.Check(t)
	cfg := BroadcastConfig{AppID: "socketfailed-drop", UDPPort: freeport.UDP(t), Loopback: true, Interval: 50 * time.Millisecond}
	got := make(chan Peer, 2)
	cfg.OnConnect = func(p Peer) { got <- p }
	a, _ := startTwo(t, context.Background(), cfg)
	var pc *peerConn
	for pc == nil {
		select {
		case p := <-got:
			if c := p.Conn.(*peerConn); c.c == a {
				pc = c
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no connection")
		}
	}

	a.mu.Lock() // the sweep holds it while it peeks and drops
	res := make(chan error, 1)
	go func() { res <- pc.SocketFailed(io.EOF) }()
	waitForFrame(t, "connector.(*BroadcastConnector).connFailed")
	a.dropLocked(a.peers[pc.key], ErrPeerTimeout)
	a.mu.Unlock()

	if err := <-res; !errors.Is(err, ErrPeerTimeout) || errors.Is(err, io.EOF) {
		t.Fatalf("SocketFailed(io.EOF) during the drop = %v, want the drop's ErrPeerTimeout", err)
	}
}

// waitForFrame waits until some goroutine's stack shows frame.
func waitForFrame(t *testing.T, frame string) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if strings.Contains(string(buf[:runtime.Stack(buf, true)]), frame) {
			return
		}
		time.Sleep(time.Millisecond) // polling a condition, with a deadline
	}
	t.Fatalf("no goroutine reached %s", frame)
}
