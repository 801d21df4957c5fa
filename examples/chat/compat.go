package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/messenger"
)

// member is a connected peer with its Messenger.
type member struct {
	peer connector.Peer
	m    *messenger.Messenger
}

// helloTimeout bounds a new peer's Messenger set-up in -compat mode.
const helloTimeout = 5 * time.Second

// runCompat is the chat room of -compat: cable_car 1.0.1 peers say no hello
// and know none of a room.Room's control messages (its pings, its goodbye),
// so this mode keeps its own connector and Messengers.
func runCompat(ctx context.Context, cfg config, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel: hellos in progress end with ctx
	codec := newCodec()
	joined := make(chan member)

	// The on-connect hook: a hello on its own goroutine, then the member
	// joins the room loop.
	bc, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
		AppID: "cablecar-chat", Name: cfg.name, Compat: cfg.compat, UDPPort: cfg.port, Loopback: cfg.lo,
		OnConnect: func(p connector.Peer) {
			wg.Go(func() {
				hctx, cancel := context.WithTimeout(ctx, helloTimeout)
				m, err := messenger.New(hctx, p.Conn, codec, &messenger.Options{Compat: cfg.compat, AppID: "cablecar-chat"})
				cancel()
				if err != nil {
					p.Conn.Close()
					return
				}
				select {
				case joined <- member{p, m}:
				case <-ctx.Done():
					m.Close()
				}
			})
		},
	})
	if err != nil {
		return err
	}
	if err := bc.Start(ctx); err != nil {
		return err
	}
	defer bc.Stop()
	fmt.Fprintf(out, "* you are %s; type a line and press Enter\n", cfg.name)

	lines := make(chan string)
	go readLines(ctx, in, lines) // ends when in does (stdin: at exit)
	return loopCompat(ctx, cfg.name, lines, joined, out)
}

// loopCompat owns the members: it sends typed lines, pumps every Messenger and
// announces joins and leaves.
func loopCompat(ctx context.Context, name string, lines <-chan string, joined <-chan member, out io.Writer) error {
	members := map[*messenger.Messenger]member{}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		for m := range members {
			m.Shutdown(ctx) // the last lines go out, if the peer reads them in time
		}
	}()
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
			for m, mb := range members {
				if err := m.Send(&MsgChat{From: name, Text: line}); err != nil {
					fmt.Fprintf(out, "* could not send to %s: %v\n", who(mb), err)
				}
			}
		case mb := <-joined:
			members[mb.m] = mb
			fmt.Fprintf(out, "* %s joined (%s)\n", who(mb), mb.peer.Addr)
		case <-tick.C:
			for m, mb := range members {
				err := m.Xfer()
				for msg := m.Get(); msg != nil; msg = m.Get() {
					if c, ok := msg.(*MsgChat); ok {
						fmt.Fprintf(out, "<%s> %s\n", c.From, c.Text)
					}
				}
				if err != nil {
					fmt.Fprintf(out, "* %s left (%v)\n", who(mb), err)
					m.Close()
					delete(members, m)
				}
			}
		}
	}
}

// who names a -compat member: its beacon name, or its address.
func who(mb member) string {
	if mb.peer.Name != "" {
		return mb.peer.Name
	}
	return mb.peer.Addr.Addr().String()
}
