// Command chat is examples/chat (package examples/chat/app: the same
// room, lines, wire and flags) with -relay: peers on networks that share
// no LAN chat through a NATS server. The LAN is used as well (so it talks
// to examples/chat peers there; one peer reached both ways is one peer);
// -lan=false is the relay only. It lives in the relay module so that the
// core module does not depend on NATS.
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2 &   # on a host both reach
//	go run ./relay/cmd/chat -relay nats://HOST:4222 -name alice
//	go run ./relay/cmd/chat -relay nats://HOST:4222 -name bob     # on another network
//
// With -password PW (the same on every peer) each stream runs the room's
// PAKE and then sealed records end to end, so the NATS server sees
// ciphertext only; a peer with another password or none is refused and
// the chat says so once. Join codes (-code) are LAN only. -token, -nkey
// and -ca are NATS's own auth and TLS to the server.
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/examples/chat/app"
	"github.com/cablecar-go/cablecar/relay/internal/natsflag"
)

// ext is the app.Ext that wires -relay to package relay with -token,
// -nkey and -ca (natsflag).
func ext() *app.Ext {
	var f natsflag.Flags
	return &app.Ext{Flags: func(fs *flag.FlagSet) { f.Register(fs, true) }, Relay: f.Relay}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, ext())
	stop()
	os.Exit(code)
}
