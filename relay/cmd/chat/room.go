package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/relay"
	"github.com/cablecar-go/cablecar/room"
)

// MsgChat is one line said in the room (examples/chat's message).
type MsgChat struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// MessageName implements message.Message.
func (*MsgChat) MessageName() string { return "MsgChat" }

const (
	pumpEvery    = 20 * time.Millisecond
	closeTimeout = time.Second
)

// run is the chat room on the relay (and the LAN with -lan) until ctx
// ends or in is closed.
func run(ctx context.Context, cfg config, in io.Reader, out io.Writer) error {
	tc, err := tlsConfig(cfg.ca)
	if err != nil {
		return err
	}
	rl, err := relay.New(&relay.Config{URL: cfg.relay, Token: cfg.token, NKeySeedFile: cfg.nkey, TLS: tc})
	if err != nil {
		return err
	}
	transports := []room.Transport{rl}
	if cfg.lan {
		transports = append(transports, room.LAN)
	}
	codec := message.NewJSONCodec(nil)
	message.Register[MsgChat](codec)
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	r, err := room.New(startCtx, &room.Config{
		AppID: "cablecar-chat", Name: cfg.name, Codec: codec, Loopback: cfg.lo, Transports: transports,
		Password: cfg.password,
	})
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		r.Shutdown(ctx)
	}()
	fmt.Fprintf(out, "* you are %s on %s; type a line and press Enter\n", cfg.name, cfg.relay)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	lines := make(chan string)
	go readLines(ctx, in, lines)
	names := map[room.PeerID]string{}
	refused := map[string]bool{}
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
			if err := r.SendAll(&MsgChat{From: cfg.name, Text: line}); err != nil {
				fmt.Fprintf(out, "* could not send: %v\n", err)
			}
		case <-tick.C:
			if err := r.Xfer(); err != nil {
				return err
			}
			for ev := r.Get(); ev != nil; ev = r.Get() {
				switch ev := ev.(type) {
				case room.Joined:
					names[ev.Peer] = ev.Name
					fmt.Fprintf(out, "* %s joined (%s)\n", ev.Name, ev.Addr)
				case room.Message:
					if c, ok := ev.Msg.(*MsgChat); ok {
						fmt.Fprintf(out, "<%s> %s\n", c.From, c.Text)
					}
				case room.Rejected:
					// Each kind once: with -lan, discovery redials.
					switch {
					case errors.Is(ev.Reason, room.ErrWrongCode) && !refused["wrong"]:
						refused["wrong"] = true
						fmt.Fprintf(out, "* refused %s: it has another password (shown once)\n", ev.Addr)
					case secretMismatch(ev.Reason) && !refused["none"]:
						refused["none"] = true
						fmt.Fprintf(out, "* refused %s: one of us has a password, the other none (shown once)\n", ev.Addr)
					}
				case room.Left:
					fmt.Fprintf(out, "* %s left (%v)\n", names[ev.Peer], ev.Reason)
					delete(names, ev.Peer)
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

// secretMismatch reports whether err is a hello refused because one side
// has a password and the other none: their protocol versions are the
// secure one and the plain one (as examples/chat tells them apart).
func secretMismatch(err error) bool {
	var he *messenger.HelloError
	if !errors.As(err, &he) || he.Field != "version" {
		return false
	}
	plain, sealed := fmt.Sprint(messenger.ProtocolVersion), fmt.Sprint(messenger.SecureProtocolVersion)
	return (he.Local == plain && he.Remote == sealed) || (he.Local == sealed && he.Remote == plain)
}
