package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/messenger"
)

// discoverCompat is -discover -compat: cable_car 1.0.1 peers say no hello
// and know none of a room.Room's control messages (its pings, its goodbye),
// so this mode keeps its own BroadcastConnector, one Messenger per peer found.
// With -check the first one is sent the built-ins and the program exits;
// otherwise every peer is echoed until ctx ends.
func discoverCompat(ctx context.Context, cfg config, out io.Writer) error {
	p := newPrinter(out)
	var wg sync.WaitGroup
	defer wg.Wait()
	checked := make(chan error, 1) // the first -check result; others are dropped

	bc, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
		AppID:    cfg.appID,
		Compat:   cfg.compat,
		UDPPort:  cfg.discovery.port,
		Loopback: cfg.discovery.lo,
		OneToOne: cfg.discovery.check,
		OnConnect: func(peer connector.Peer) {
			p.printf("found %s (%s)", peer.Addr, peer.Name)
			wg.Go(func() {
				err := talk(ctx, cfg, peer, p)
				select { // never block: without -check nobody reads it
				case checked <- err:
				default:
				}
			})
		},
		OnDisconnect: func(peer connector.Peer, err error) {
			p.printf("%s gone: %v", peer.Addr, err)
		},
	})
	if err != nil {
		return err
	}
	if err := bc.Start(ctx); err != nil {
		return err
	}
	defer bc.Stop()
	p.printf("discovering transport=%s compat=%v loopback=%v", cfg.transport, cfg.compat, cfg.discovery.lo)

	if !cfg.discovery.check {
		<-ctx.Done()
		return nil
	}
	select {
	case err := <-checked:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(cfg.timeout):
		return errors.New("no peer found before -timeout")
	}
}

// talk runs one discovered peer: the client check with -check, echo otherwise.
func talk(ctx context.Context, cfg config, peer connector.Peer, p *printer) error {
	helloCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	m, err := messenger.New(helloCtx, peer.Conn, newCodec(cfg.transport), messengerOptions(cfg))
	cancel()
	if err != nil {
		peer.Conn.Close()
		p.printf("%s refused: %v", peer.Addr, err)
		return err
	}
	defer m.Close()
	if cfg.discovery.check {
		ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
		return checkEcho(ctx, m.Send, m.Recv, p)
	}
	if err := echoMessages(ctx, m, peer.Addr.String(), p); err != nil {
		p.printf("%s %v", peer.Addr, err)
	}
	return nil
}
