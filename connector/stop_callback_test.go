package connector

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestStopInCallback calls Stop from OnConnect (with a concurrent Stop from
// outside) and from OnDisconnect: neither may deadlock, and the peers
// dropped by Stop still get their OnDisconnect.
func TestStopInCallback(t *testing.T) {
	for _, tc := range []struct {
		name       string
		inConnect  bool
		concurrent bool
	}{
		{"OnConnect", true, false},
		{"OnConnectWithOuterStop", true, true},
		{"OnDisconnect", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			cfg := loopbackConfig(t, freeport.UDP(t))
			b := startTestPeer(t, cfg, "b")

			var (
				mu       sync.Mutex
				stopErr  = errors.New("Stop not called")
				reasons  []error
				connects int
			)
			stopped := make(chan struct{})
			var a *BroadcastConnector
			stopHere := func() {
				err := a.Stop()
				mu.Lock()
				stopErr = err
				mu.Unlock()
				close(stopped)
			}
			acfg := cfg
			acfg.Name = "a"
			acfg.OnConnect = func(Peer) {
				mu.Lock()
				connects++
				mu.Unlock()
				if tc.concurrent {
					go a.Stop() // an outer Stop that waits for this callback
				}
				if tc.inConnect {
					stopHere()
				}
			}
			acfg.OnDisconnect = func(_ Peer, err error) {
				mu.Lock()
				reasons = append(reasons, err)
				first := len(reasons) == 1
				mu.Unlock()
				if !tc.inConnect && first {
					stopHere()
				}
			}
			var err error
			if a, err = NewBroadcastConnector(&acfg); err != nil {
				t.Fatal(err)
			}
			if err := a.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !tc.inConnect {
				// a drops b when b closes its end; a's OnDisconnect stops a.
				waitFor(t, 10*time.Second, "b connected to a", func() bool { return b.hasPeer(a.ID()) })
				b.peer(t, a.ID()).Conn.Close()
			}
			select {
			case <-stopped:
			case <-time.After(20 * time.Second):
				t.Fatal("Stop called from a callback did not return")
			}
			outer := make(chan struct{})
			go func() { a.Stop(); close(outer) }()
			select {
			case <-outer:
			case <-time.After(20 * time.Second):
				t.Fatal("Stop after a Stop from a callback did not return")
			}
			mu.Lock()
			defer mu.Unlock()
			if stopErr != nil {
				t.Errorf("Stop from a callback: %v", stopErr)
			}
			// Every OnConnect got its OnDisconnect, the last one from Stop
			// (in the OnDisconnect case b may have reconnected meanwhile).
			if len(reasons) != connects || connects == 0 {
				t.Fatalf("%d OnConnect, OnDisconnect reasons %v", connects, reasons)
			}
			if last := reasons[len(reasons)-1]; (tc.inConnect || len(reasons) > 1) && !errors.Is(last, ErrStopped) {
				t.Errorf("last OnDisconnect reason %v, want ErrStopped", last)
			}
			b.Stop()
		})
	}
}
