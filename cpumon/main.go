// Command cpumon is the machine monitor: every machine that runs it shows
// the CPU, load, memory, swap, temperature and GPUs of every other one in
// one live table. Monitors find each other on the LAN (UDP broadcast, and
// mDNS with -mdns) and, with -relay, through a NATS server, for machines
// that share no LAN:
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2     # on a host every machine reaches
//	cpumon -relay nats://HOST:4222                       # on each machine
//
// The room's transports are then the relay and the LAN (a monitor reached
// both ways is one row); -lan=false is the relay only. -password runs the
// PAKE and sealed records end to end through the server, which sees
// ciphertext and subject names only. -token, -nkey and -ca are NATS's own
// auth and TLS to the server (package relay/natsflag). Run cpumon -h for
// the flags.
//
// The program is package cpumon/app; this is its signal handling and the
// relay plugged in. cpumon is a module of its own
// (github.com/cablecar-go/cablecar/cpumon), so that the library's module
// depends neither on NATS nor on gopsutil:
//
//	go install github.com/cablecar-go/cablecar/cpumon@latest
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/cpumon/app"
	"github.com/cablecar-go/cablecar/relay/natsflag"
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
