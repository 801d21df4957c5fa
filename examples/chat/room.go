package main

import (
	"bufio"
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

const (
	// pumpEvery is how often the room moves bytes: a chat needs no
	// game-loop rate, and an idle room stays cheap.
	pumpEvery = 20 * time.Millisecond
	// helloTimeout bounds a new peer's hello: a peer that never answers
	// must not hold a goroutine and a connection until the room ends.
	helloTimeout = 5 * time.Second
	// closeTimeout bounds the flush of the last lines when the room ends:
	// a peer that does not read must not keep the program from exiting.
	closeTimeout = time.Second
)

// run is the chat room: it reads lines from in, says them to every peer, and
// writes what happens to out, until ctx ends or in is closed.
func run(ctx context.Context, cfg config, in io.Reader, out io.Writer) error {
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
	return loop(ctx, cfg.name, lines, joined, out)
}

// loop owns the members: it sends typed lines, pumps every Messenger and
// announces joins and leaves.
func loop(ctx context.Context, name string, lines <-chan string, joined <-chan member, out io.Writer) error {
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

func who(mb member) string {
	if mb.peer.Name != "" {
		return mb.peer.Name
	}
	return mb.peer.Addr.Addr().String()
}
