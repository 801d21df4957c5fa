package messenger

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
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
