package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cablecar-go/cablecar/connector"
)

// discover finds the other player with a one-to-one BroadcastConnector:
// beacons on the LAN (or on loopback only, with -lo), and the first peer
// of the same application that connects is the other player. The connector
// must stay until the game ends (Stop closes the connection).
func discover(ctx context.Context, o *options, out io.Writer) (*connector.BroadcastConnector, connector.Peer, error) {
	bc, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
		AppID:    appID,
		UDPPort:  o.port,
		OneToOne: true,
		Loopback: o.lo,
	})
	if err != nil {
		return nil, connector.Peer{}, err
	}
	peers, err := bc.Connect(ctx)
	if err == nil && len(peers) == 0 {
		err = errors.New("discovery ended without a peer")
	}
	if err != nil {
		bc.Stop()
		return nil, connector.Peer{}, err
	}
	p := peers[0]
	fmt.Fprintf(out, "found %q (peer %s) at %s\n", p.Name, p.ID, p.Addr)
	return bc, p, nil
}
