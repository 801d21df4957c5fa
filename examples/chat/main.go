// Command chat is a LAN chat room with no server and no configuration:
// every line typed goes to every peer found, and joins and leaves are
// announced.
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

	code     codeFlag // -code: host an invitation, or join with a code
	password string   // -password
}

func main() {
	var cfg config
	host, _ := os.Hostname()
	flag.StringVar(&cfg.name, "name", fmt.Sprintf("%s-%d", host, os.Getpid()), "your name in the room")
	flag.BoolVar(&cfg.lo, "lo", false, "stay on this machine: beacons to 127.255.255.255 only")
	flag.IntVar(&cfg.port, "port", 0, "UDP beacon `port` (0 = the connector's default)")
	flag.BoolVar(&cfg.compat, "compat", false, "cable_car 1.0.1 discovery and stream (BROADCAST beacons, JSON, no hello)")
	secureFlags(flag.CommandLine, &cfg)
	flag.Parse()
	if err := cfg.code.finish(flag.CommandLine); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, cfg, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}
