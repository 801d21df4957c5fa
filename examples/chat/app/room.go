package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cablecar-go/cablecar/room"
)

const (
	// pumpEvery is how often the room moves bytes: a chat needs no
	// game-loop rate, and an idle room stays cheap.
	pumpEvery = 20 * time.Millisecond
	// closeTimeout bounds the flush of the last lines when the room ends:
	// a peer that does not read must not keep the program from exiting.
	closeTimeout = time.Second
)

// While nobody is in the room, discovery's progress is shown every
// statusEvery, with the likely problem once statusAfter has passed
// (variables: tests shorten them).
var (
	statusEvery = 5 * time.Second
	statusAfter = 10 * time.Second
)

// run is the chat room: it reads lines from in, says them to every peer, and
// writes what happens to out, until ctx ends or in is closed. With -compat
// the room is in compat mode: cable_car 1.0.1's discovery and stream.
func run(ctx context.Context, cfg config, in io.Reader, out io.Writer) error {
	if cfg.compat && (cfg.code.set || cfg.password != "") {
		return errCompatSecret
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rc := &room.Config{
		AppID: "cablecar-chat", Name: cfg.name, Codec: newCodec(), UDPPort: cfg.port, Loopback: cfg.lo,
		Compat:   cfg.compat,
		Password: cfg.password, Invite: cfg.code.invite, Code: cfg.code.code,
	}
	where := ""
	if cfg.transport != nil {
		// The relay (Ext.Relay), and the LAN unless -lan=false: a peer
		// reached both ways is one peer.
		rc.Transports = []room.Transport{cfg.transport}
		if cfg.lan {
			rc.Transports = append(rc.Transports, room.LAN)
		}
		where = " on " + cfg.relay
	}
	r, err := room.New(ctx, rc)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "* you are %s%s; type a line and press Enter\n", cfg.name, where)

	lines := make(chan string)
	go readLines(ctx, in, lines) // ends when in does (stdin: at exit)
	return loop(ctx, cfg, lines, r, out)
}

// loop runs the room r until ctx ends or lines is closed: it says typed
// lines to every peer, pumps the room, and announces joins and leaves. It
// shuts r down (the last lines go out, bounded by closeTimeout) before it
// returns.
func loop(ctx context.Context, cfg config, lines <-chan string, r *room.Room, out io.Writer) error {
	name, sec := cfg.name, &secureView{cfg: cfg}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		r.Shutdown(ctx) // the last lines go out, if the peers read them in time
	}()
	names := map[room.PeerID]string{}
	tick := time.NewTicker(pumpEvery)
	defer tick.Stop()
	status := time.NewTicker(statusEvery)
	defer status.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-status.C:
			if len(names) == 0 && (cfg.transport == nil || cfg.lan) { // LAN discovery's progress
				fmt.Fprintf(out, "* %s\n", r.Progress().Line(statusAfter))
			}
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			for _, id := range r.Peers() {
				if err := r.Send(id, &MsgChat{From: name, Text: line}); err != nil {
					fmt.Fprintf(out, "* could not send to %s: %v\n", names[id], err)
				}
			}
		case <-tick.C:
			if err := r.Xfer(); err != nil {
				return err
			}
			for ev := r.Get(); ev != nil; ev = r.Get() {
				switch ev := ev.(type) {
				case room.Joined:
					sec.in = true
					names[ev.Peer] = ev.Name
					if ev.Name == "" { // a -compat peer: its IP, as cable_car keys peers
						names[ev.Peer] = ev.Addr
						if host, _, err := net.SplitHostPort(ev.Addr); err == nil {
							names[ev.Peer] = host
						}
					}
					fmt.Fprintf(out, "* %s joined (%s)\n", names[ev.Peer], ev.Addr)
				case room.Message:
					if c, ok := ev.Msg.(*MsgChat); ok {
						fmt.Fprintf(out, "<%s> %s\n", c.From, c.Text)
					}
				case room.Left:
					fmt.Fprintf(out, "* %s left (%v)\n", names[ev.Peer], ev.Reason)
					delete(names, ev.Peer)
				default:
					if err := sec.event(ev, out); err != nil {
						return err
					}
				}
			}
		}
	}
}

// readLines sends each line of in to lines and closes it at the end of in.
func readLines(ctx context.Context, in io.Reader, lines chan<- string) {
	defer close(lines)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		select {
		case lines <- sc.Text():
		case <-ctx.Done():
			return
		}
	}
}
