package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/messenger"
)

// appID keeps pong players from connecting to other cablecar programs, in
// discovery and in the Messenger's hello.
const appID = "cablecar-pong"

// link is the connection to the other player.
type link struct {
	m  *messenger.Messenger
	bc *connector.BroadcastConnector // nil with -listen or -dial
}

// connect finds the other player (-listen, -dial, or discovery) and starts
// a Messenger on the connection. ctx bounds the whole search.
func connect(ctx context.Context, o *options, out io.Writer) (*link, error) {
	var conn net.Conn
	var err error
	l := new(link)
	var mo messenger.Options
	mo.AppID = appID
	switch {
	case o.listen != "":
		conn, err = listen(ctx, o.listen, out)
	case o.dial != "":
		client := connector.DirectClient{Timeout: -1} // ctx bounds it
		conn, err = client.Dial(ctx, o.dial)
	default:
		var p connector.Peer
		l.bc, p, err = discover(ctx, o, out)
		if err == nil {
			conn = p.Conn
			mo.PeerID = uint64(l.bc.ID()) // the same id in both layers
		}
	}
	if err != nil {
		return nil, err
	}
	l.m, err = messenger.New(ctx, conn, game.NewCodec(), &mo)
	if err != nil {
		conn.Close()
		l.stop()
		return nil, fmt.Errorf("hello with %s: %w", conn.RemoteAddr(), err)
	}
	return l, nil
}

// stop ends discovery's connector, if any (after the Messenger is closed).
func (l *link) stop() {
	if l.bc != nil {
		l.bc.Stop()
	}
}

// listen accepts one connection on addr.
func listen(ctx context.Context, addr string, out io.Writer) (net.Conn, error) {
	srv := &connector.DirectServer{Addr: addr}
	if err := srv.Listen(ctx); err != nil {
		return nil, err
	}
	defer srv.Close()
	fmt.Fprintf(out, "listening on %s\n", srv.LocalAddr())
	return srv.Accept(ctx)
}

// isHost decides who hosts, the same way on both sides: the lower peer id of
// the hello; on a tie, which cannot really happen (ids are random, 64 bits),
// the lower address.
func isHost(m *messenger.Messenger) (bool, error) {
	local, remote := m.Local().PeerID, m.Remote().PeerID
	if local != remote {
		return local < remote, nil
	}
	la, ra := m.Conn().LocalAddr().String(), m.Conn().RemoteAddr().String()
	if la == ra {
		return false, errors.New("cannot decide who hosts: same peer id and address on both sides")
	}
	return la < ra, nil
}
