package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
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

// run is the chat room: it reads lines from in, says them to every peer, and
// writes what happens to out, until ctx ends or in is closed.
func run(ctx context.Context, cfg config, in io.Reader, out io.Writer) error {
	if cfg.compat && (cfg.code.set || cfg.password != "") {
		return errCompatSecret
	}
	if cfg.compat {
		return runCompat(ctx, cfg, in, out)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, err := room.New(ctx, &room.Config{
		AppID: "cablecar-chat", Name: cfg.name, Codec: newCodec(), UDPPort: cfg.port, Loopback: cfg.lo,
		Password: cfg.password, Invite: cfg.code.invite, Code: cfg.code.code,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "* you are %s; type a line and press Enter\n", cfg.name)

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
	for {
		select {
		case <-ctx.Done():
			return nil
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
					if ev.Name == "" {
						names[ev.Peer] = ev.Addr
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
