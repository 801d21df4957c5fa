// Command cpumon is the LAN machine monitor: every machine that runs it
// shows the CPU, load, memory, swap, temperature and GPUs of every other
// one in one live table. The program is package cpumon/app; this is its
// signal handling. relay/cmd/cpumon is the same program with -relay
// (through a NATS server, for machines that share no LAN). Run cpumon -h
// for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cablecar-go/cablecar/cpumon/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	os.Exit(app.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil))
}
