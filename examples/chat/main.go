// Command chat is a LAN chat room with no server and no configuration:
// every line typed goes to every peer found, and joins and leaves are
// announced. The program is package examples/chat/app; relay/cmd/chat is
// the same chat with -relay (through a NATS server, for peers that share
// no LAN).
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
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/examples/chat/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}
