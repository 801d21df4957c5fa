// Command cpumon is cpumon (package cpumon/app, the same program, flags
// and output) with -relay: monitors on machines that share no LAN find
// each other through a NATS server. It lives in the relay module so that
// the core module does not depend on NATS.
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2     # on a host every machine reaches
//	go run ./relay/cmd/cpumon -relay nats://HOST:4222    # on each machine
//
// The room's transports are the relay and the LAN (a monitor reached both
// ways is one row); -lan=false is the relay only. -password runs the PAKE
// and sealed records end to end through the server, which sees
// ciphertext and subject names only. -token, -nkey and -ca are NATS's own
// auth and TLS to the server. Without -relay it is the plain cpumon.
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/cpumon/app"
	"github.com/cablecar-go/cablecar/relay/internal/natsflag"
)

// ext is the app.Ext that wires -relay to package relay with -token,
// -nkey and -ca (natsflag).
func ext() *app.Ext {
	var f natsflag.Flags
	return &app.Ext{
		Flags: func(fs *flag.FlagSet) { f.Register(fs, false) },
		Usage: natsflag.Usage,
		Relay: f.Relay,
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	os.Exit(app.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, ext()))
}
