// Command chat is a chat room with no configuration: every line typed
// goes to every peer found, and joins and leaves are announced. Peers
// find each other on the LAN and, with -relay, through a NATS server, for
// peers that share no LAN.
//
//	go run ./examples/chat -lo -name alice    # three terminals make a room
//
// -lo keeps it on this machine (beacons to 127.255.255.255). Without it,
// peers are found on every interface of the LAN.
//
// With a secret only the peers that have it join: -password PW (the same
// on every member), or a join code: one member runs with a bare -code and
// prints a code such as 7-guitarist-revenge, each other one runs with
// -code 7-guitarist-revenge (the host prints a new code after each join,
// and after a wrong guess, which uses the code up).
//
// Across networks:
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2 &   # on a host both reach
//	go run ./examples/chat -relay nats://HOST:4222 -name alice
//	go run ./examples/chat -relay nats://HOST:4222 -name bob     # on another network
//
// The LAN is used as well (one peer reached both ways is one peer);
// -lan=false is the relay only. With -password each stream runs the
// room's PAKE and then sealed records end to end, so the NATS server sees
// ciphertext only; a peer with another password or none is refused and
// the chat says so once. Join codes (-code) are LAN only. -token, -nkey
// and -ca are NATS's own auth and TLS to the server (package
// relay/natsflag).
//
// The program is package examples/chat/app; this is its signal handling
// and the relay plugged in. The chat is a module of its own
// (github.com/cablecar-go/cablecar/examples/chat), so that the library's
// module does not depend on NATS.
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/examples/chat/app"
	"github.com/cablecar-go/cablecar/relay/natsflag"
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
