package connector

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/nettest"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

var pipeCount atomic.Int64

// TestPeerConnIsNetConn runs x/net's net.Conn conformance suite on the
// connections the connector hands out (each end a Peer.Conn of a connector).
func TestPeerConnIsNetConn(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		cfg := BroadcastConfig{
			AppID:    fmt.Sprintf("nettest-%d", pipeCount.Add(1)),
			UDPPort:  freeport.UDP(t),
			Loopback: true,
			Interval: 50 * time.Millisecond,
		}
		got := make(chan net.Conn, 2)
		cfg.OnConnect = func(p Peer) { got <- p.Conn }
		a, err := NewBroadcastConnector(&cfg)
		if err != nil {
			return nil, nil, nil, err
		}
		b, _ := NewBroadcastConnector(&cfg)
		stop = func() { a.Stop(); b.Stop() }
		a.Start(context.Background())
		b.Start(context.Background())
		select {
		case c1 = <-got:
		case <-time.After(20 * time.Second):
			stop()
			return nil, nil, nil, fmt.Errorf("no connection")
		}
		c2 = <-got
		return c1, c2, stop, nil
	})
}
