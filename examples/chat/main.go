// Command chat is a LAN chat room with no server and no configuration:
// every line typed goes to every peer found, and joins and leaves are
// announced.
//
//	go run ./examples/chat -lo -name alice    # three terminals make a room
//
// -lo keeps it on this machine (beacons to 127.255.255.255). Without it,
// peers are found on every interface of the LAN.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// config is what the flags say.
type config struct {
	name   string
	lo     bool
	port   int
	compat bool
}

func main() {
	var cfg config
	host, _ := os.Hostname()
	flag.StringVar(&cfg.name, "name", fmt.Sprintf("%s-%d", host, os.Getpid()), "your name in the room")
	flag.BoolVar(&cfg.lo, "lo", false, "stay on this machine: beacons to 127.255.255.255 only")
	flag.IntVar(&cfg.port, "port", 0, "UDP beacon `port` (0 = the connector's default)")
	flag.BoolVar(&cfg.compat, "compat", false, "cable_car 1.0.1 discovery and stream (BROADCAST beacons, JSON, no hello)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, cfg, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}
