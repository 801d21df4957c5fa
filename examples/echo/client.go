package main

import (
	"context"
	"fmt"
	"io"
	"reflect"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// builtins are the messages the client sends, one of each built-in type.
func builtins() []message.Message {
	return []message.Message{
		message.NewIdentify(),
		&message.MsgJoin{},
		&message.MsgRetry{},
		&message.MsgQuit{},
	}
}

// client dials cfg.dial, sends the built-ins and checks that each comes back.
func client(ctx context.Context, cfg config, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	dialer := &connector.DirectClient{Timeout: cfg.timeout}
	conn, err := dialer.Dial(ctx, cfg.dial)
	if err != nil {
		return err
	}
	m, err := messenger.New(ctx, conn, newCodec(cfg.transport), messengerOptions(cfg))
	if err != nil {
		conn.Close()
		return err
	}
	defer m.Close()
	return checkEcho(ctx, m.Send, m.Recv, newPrinter(out))
}

// checkEcho sends every built-in with send and compares what recv returns.
func checkEcho(ctx context.Context, send func(message.Message) error, recv func(context.Context) (message.Message, error), p *printer) error {
	want := builtins()
	for _, msg := range want {
		if err := send(msg); err != nil {
			return fmt.Errorf("send %s: %w", msg.MessageName(), err)
		}
		p.printf("sent %s", describe(msg))
	}
	for i, w := range want {
		got, err := recv(ctx)
		if err != nil {
			return fmt.Errorf("waiting for echo %d of %d (%s): %w", i+1, len(want), w.MessageName(), err)
		}
		p.printf("got  %s", describe(got))
		if !reflect.DeepEqual(got, w) {
			return fmt.Errorf("echo %d differs: sent %s, got %s", i+1, describe(w), describe(got))
		}
	}
	p.printf("ok: %d messages came back unchanged", len(want))
	return nil
}
