// Command echo checks that a peer speaks cablecar (or cable_car 1.0.1, with
// -compat): as a server it sends back every message it receives; as a client
// it sends the built-in messages and checks that each comes back unchanged.
//
//	go run ./examples/echo -listen 127.0.0.1:8223 -transport byte
//	go run ./examples/echo -dial 127.0.0.1:8223 -transport byte
//
// Both print one line per message. The client exits 0 when every message came
// back equal, 1 with the difference otherwise. -compat drops the cablecar hello
// so that the stream is exactly cable_car 1.0.1's (byte or json transport).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cablecar-go/cablecar/message"
	_ "github.com/cablecar-go/cablecar/message/msgpack" // -transport msgpack: registers the codec with message.NewCodec
	"github.com/cablecar-go/cablecar/messenger"
)

// config is what the flags say.
type config struct {
	listen    string
	dial      string
	transport string
	compat    bool
	appID     string
	timeout   time.Duration
	discovery discoveryFlags
}

func main() {
	var cfg config
	flag.StringVar(&cfg.listen, "listen", "", "serve on `ADDR` (host:port) and echo every message back")
	flag.StringVar(&cfg.dial, "dial", "", "connect to `ADDR`, send the built-in messages and check they come back")
	flag.StringVar(&cfg.transport, "transport", "byte", "codec: byte, json or msgpack")
	flag.BoolVar(&cfg.compat, "compat", false, "no hello: speak cable_car 1.0.1's stream exactly (byte or json)")
	flag.StringVar(&cfg.appID, "app", "cablecar-echo", "application id sent in the hello (both ends must agree)")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "client: how long to wait for the connection and the echoes")
	cfg.discovery.register(flag.CommandLine)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: echo (-listen ADDR | -dial ADDR | -discover) [flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.compat && cfg.transport == "msgpack" {
		return errors.New("-compat works with the byte and json transports only (cable_car 1.0.1 has no msgpack)")
	}
	if _, err := message.NewCodec(cfg.transport, nil); err != nil {
		return err
	}
	switch {
	case cfg.discovery.enabled():
		return discover(ctx, cfg, out)
	case cfg.dial != "" && cfg.listen != "":
		return errors.New("give -listen or -dial, not both")
	case cfg.dial != "":
		return client(ctx, cfg, out)
	case cfg.listen != "":
		return serve(ctx, cfg, out)
	}
	flag.Usage()
	return errors.New("nothing to do")
}

// newCodec returns the codec named by -transport, with the built-ins (every
// codec of package message has them registered already).
func newCodec(name string) message.Codec {
	c, err := message.NewCodec(name, nil)
	if err != nil {
		panic(err) // checked in run
	}
	return c
}

func messengerOptions(cfg config) *messenger.Options {
	return &messenger.Options{Compat: cfg.compat, AppID: cfg.appID}
}
