package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// discoveryFlags are the flags of discovery mode (the BroadcastConnector).
type discoveryFlags struct {
	on    bool
	lo    bool
	check bool
	port  int
}

func (d *discoveryFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.on, "discover", false, "find peers by broadcast and echo every message they send")
	fs.BoolVar(&d.lo, "lo", false, "with -discover: stay on this machine (beacons to 127.255.255.255 only)")
	fs.BoolVar(&d.check, "check", false, "with -discover: act as the client with the first peer found (send the built-ins, check the echoes, exit)")
	fs.IntVar(&d.port, "port", 0, "with -discover: UDP beacon `port` (0 = the connector's default: 8224, or 8222 with -compat)")
}

func (d *discoveryFlags) enabled() bool { return d.on }

// closeTimeout bounds the goodbye to the peers when -discover ends.
const closeTimeout = time.Second

// discover finds peers by discovery, in a room.Room: with -check the first
// peer to join is sent the built-ins and the program exits; otherwise every
// peer is echoed until ctx ends. With -compat the room is in compat mode
// (cable_car 1.0.1's discovery and stream), and -check ends discovery at
// the first connection (OneToOne): cable_car peers that hear each other
// both dial, and the first socket is the one to use.
func discover(ctx context.Context, cfg config, out io.Writer) error {
	p := newPrinter(out)
	r, err := room.New(ctx, &room.Config{
		AppID:    cfg.appID,
		Codec:    newCodec(cfg.transport),
		UDPPort:  cfg.discovery.port,
		Loopback: cfg.discovery.lo,
		Compat:   cfg.compat,
		OneToOne: cfg.compat && cfg.discovery.check,
	})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		r.Shutdown(ctx)
	}()
	p.printf("discovering transport=%s compat=%v loopback=%v", cfg.transport, cfg.compat, cfg.discovery.lo)
	peers := &peers{p: p, addrs: map[room.PeerID]string{}}
	if cfg.discovery.check {
		return checkFirst(ctx, cfg, r, peers)
	}
	for {
		ev, err := recvOrStatus(ctx, r, peers)
		if err != nil {
			return nil // ctx ended
		}
		peers.show(ev)
		if m, ok := ev.(room.Message); ok {
			p.printf("%s echo %s", peers.addrs[m.Peer], describe(m.Msg))
			if err := r.Send(m.Peer, m.Msg); err != nil {
				p.printf("%s send: %v", peers.addrs[m.Peer], err)
			}
			_ = r.Xfer() // the echo leaves now
		}
	}
}

// peers prints the comings and goings of a room's peers, by address.
type peers struct {
	p     *printer
	addrs map[room.PeerID]string
}

// show prints ev unless it is a message.
func (ps *peers) show(ev room.Event) {
	switch ev := ev.(type) {
	case room.Joined:
		ps.addrs[ev.Peer] = ev.Addr
		ps.p.printf("found %s (%s)", ev.Addr, ev.Name)
	case room.Left:
		ps.p.printf("%s gone: %v", ps.addrs[ev.Peer], ev.Reason)
		delete(ps.addrs, ev.Peer)
	case room.Rejected:
		ps.p.printf("%s refused: %v", ev.Addr, ev.Reason)
	}
}

// checkFirst waits for the first peer to join r and runs the client check
// with it.
func checkFirst(ctx context.Context, cfg config, r *room.Room, ps *peers) error {
	wait, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	var peer room.PeerID
	for peer == 0 {
		ev, err := recvOrStatus(wait, r, ps)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("no peer found before -timeout: %w", err)
		}
		ps.show(ev)
		if j, ok := ev.(room.Joined); ok {
			peer = j.Peer
		}
	}
	ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	send := func(msg message.Message) error {
		if err := r.Send(peer, msg); err != nil {
			return err
		}
		return r.Xfer()
	}
	recv := func(ctx context.Context) (message.Message, error) {
		for {
			ev, err := r.Recv(ctx)
			if err != nil {
				return nil, err
			}
			switch ev := ev.(type) {
			case room.Message:
				if ev.Peer == peer {
					return ev.Msg, nil
				}
			case room.Left:
				if ev.Peer == peer {
					return nil, ev.Reason
				}
			}
		}
	}
	return checkEcho(ctx, send, recv, ps.p)
}

// Progress lines while nobody is found: every statusEvery, and after
// statusAfter with the likely problem (variables: tests shorten them).
var (
	statusEvery = 5 * time.Second
	statusAfter = 10 * time.Second
)

// recvOrStatus is r.Recv(ctx) that, while the room has no peer, prints
// discovery's progress ("looking for peers on eth0 (10.0.0.255), 0 heard
// for 5s") every statusEvery.
func recvOrStatus(ctx context.Context, r *room.Room, ps *peers) (room.Event, error) {
	for {
		wait, cancel := context.WithTimeout(ctx, statusEvery)
		ev, err := r.Recv(wait)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return ev, err
		}
		if len(ps.addrs) == 0 {
			ps.p.printf("%s", r.Progress().Line(statusAfter))
		}
	}
}
