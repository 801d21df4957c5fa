// Command chat is examples/chat across networks: the same room, lines
// and wire (AppID "cablecar-chat", the JSON codec, MsgChat), through a
// NATS server, and with -lan over the LAN as well (so it talks to
// examples/chat peers there). It lives in the relay module so that the
// core module does not depend on NATS.
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2 &   # on a host both reach
//	go run ./relay/cmd/chat -relay nats://HOST:4222 -name alice
//	go run ./relay/cmd/chat -relay nats://HOST:4222 -name bob     # on another network
//
// With -password PW (the same on every peer) each stream runs the room's
// PAKE and then sealed records end to end, so the NATS server sees
// ciphertext only; a peer with another password or none is refused and
// the chat says so once.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type config struct {
	relay, name, token, nkey, ca string
	password                     string
	lan, lo                      bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	host, _ := os.Hostname()
	var c config
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.relay, "relay", "nats://127.0.0.1:4222", "NATS server `URL` (comma-separated for a cluster; tls:// for TLS)")
	fs.StringVar(&c.name, "name", fmt.Sprintf("%s-%d", host, os.Getpid()), "your name in the room")
	fs.StringVar(&c.token, "token", "", "NATS auth `token` (default none)")
	fs.StringVar(&c.nkey, "nkey", "", "NATS NKey user seed `file` (default none)")
	fs.StringVar(&c.ca, "ca", "", "PEM `file` of the CA that signed the server's TLS certificate (turns TLS on; default: no TLS unless the URL is tls://)")
	fs.StringVar(&c.password, "password", "", "chat only with peers that have the same `password`: every stream runs a PAKE, then sealed\n"+
		"records, so the NATS server sees ciphertext only (default none)")
	fs.BoolVar(&c.lan, "lan", false, "also find peers on the LAN (broadcast beacons), as examples/chat does")
	fs.BoolVar(&c.lo, "lo", false, "with -lan: beacons to 127.255.255.255 only")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

func tlsConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}
