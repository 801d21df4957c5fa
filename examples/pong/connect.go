package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/room"
)

// appID keeps pong players from connecting to other cablecar programs, in
// discovery and in the hello.
const appID = "cablecar-pong"

// connect finds the other player (-listen, -dial, or discovery) in a
// room.Room of two and returns it once its hello is done. ctx bounds the
// whole search. Discovery is one-to-one: beacons on the LAN (or on loopback
// only, with -lo), and the first peer of the same application that connects
// is the other player; -listen takes one connection.
func connect(ctx context.Context, o *options, out io.Writer) (*opponent, error) {
	cfg := &room.Config{AppID: appID, Codec: game.NewCodec()}
	switch {
	case o.listen != "":
		cfg.Listen, cfg.MaxConns = o.listen, 1
	case o.dial != "":
		// Retries of a refused dial for -timeout; ctx bounds it as well (Close
		// ends the dial).
		cfg.Dial, cfg.DialTimeout = []string{o.dial}, o.timeout
	default:
		cfg.UDPPort, cfg.Loopback, cfg.OneToOne = o.port, o.lo, true
	}
	r, err := room.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if o.listen != "" {
		fmt.Fprintf(out, "listening on %s\n", r.Addr())
	}
	for {
		ev, err := r.Recv(ctx)
		if err != nil {
			r.Close()
			return nil, err
		}
		switch ev := ev.(type) {
		case room.Joined:
			if ev.Name != "" { // found by discovery
				fmt.Fprintf(out, "found %q (peer %s) at %s\n", ev.Name, connector.PeerID(ev.Peer), ev.Addr)
			}
			return &opponent{r: r, id: ev.Peer, addr: ev.Addr}, nil
		case room.Rejected:
			r.Close()
			return nil, fmt.Errorf("hello with %s: %w", ev.Addr, ev.Reason)
		}
	}
}

// isHost decides who hosts, the same way on both sides: the lower peer id.
// The ids differ: a room refuses a peer with its own.
func isHost(op *opponent) bool { return op.r.ID() < op.id }
