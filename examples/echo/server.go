package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/messenger"
)

// serve accepts connections on cfg.listen and echoes each one until ctx ends.
// It prints "listening ADDR" first, so that scripts can learn the port of
// "-listen 127.0.0.1:0".
func serve(ctx context.Context, cfg config, out io.Writer) error {
	srv := &connector.DirectServer{Addr: cfg.listen}
	if err := srv.Listen(ctx); err != nil {
		return err
	}
	p := newPrinter(out)
	p.printf("listening %s transport=%s compat=%v", srv.LocalAddr(), cfg.transport, cfg.compat)

	var wg sync.WaitGroup
	defer wg.Wait()
	srv.OnConnect = func(conn net.Conn) {
		wg.Go(func() { echoConn(ctx, cfg, conn, p) })
	}
	err := srv.Serve(ctx)
	if ctx.Err() != nil {
		return nil // interrupted: a normal end for a server
	}
	return err
}

// echoConn runs one connection: every message received is printed and sent
// back, until the peer goes away or ctx ends.
func echoConn(ctx context.Context, cfg config, conn net.Conn, p *printer) {
	peer := conn.RemoteAddr().String()
	helloCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	m, err := messenger.New(helloCtx, conn, newCodec(cfg.transport), messengerOptions(cfg))
	cancel()
	if err != nil {
		p.printf("%s refused: %v", peer, err)
		conn.Close()
		return
	}
	defer m.Close()
	p.printf("%s connected", peer)
	if err := echoMessages(ctx, m, peer, p); err != nil {
		p.printf("%s %v", peer, err)
	}
}

// echoMessages sends back every message m receives.
func echoMessages(ctx context.Context, m *messenger.Messenger, peer string, p *printer) error {
	for {
		msg, err := m.Recv(ctx)
		switch {
		case errors.Is(err, io.EOF):
			return errors.New("closed")
		case err != nil:
			return err
		}
		p.printf("%s echo %s", peer, describe(msg))
		if err := m.Send(msg); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		if err := m.Xfer(); err != nil {
			return err
		}
	}
}
