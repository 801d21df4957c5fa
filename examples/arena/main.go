// Command arena is a multi-player Ebitengine game on a cablecar room: 2 to
// 8 players on the LAN, each a coloured disc moved with the arrow keys.
// The host (the peer with the lowest room id) owns the world and
// publishes it as a replica; the others observe it and send their keys
// as messages. See package game for the world and the netcode, window.go for
// Ebitengine's Update and Draw, and the package's README entry
// (examples/README.md) for how to play.
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

	"github.com/cablecar-go/cablecar/examples/arena/game"
)

// config is the command line.
type config struct {
	game.Options
	game.Limits
	headless   bool
	script     bool
	screenshot string
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "arena:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("arena", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: arena [flags]\n\n"+
			"A game for 2 to 8 players on the LAN: start one per player (-lo: on this machine;\n"+
			"a ninth and later watch).\n"+
			"Arrow keys (or WASD) move your disc (the one with the white ring); Esc quits.\n"+
			"The lowest room id hosts the world; the others send it their keys.\n"+
			"A build with cgo (the window) opens the X display as it starts, -headless too:\n"+
			"where there is none, build with CGO_ENABLED=0 (headless only).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.BoolVar(&c.Loopback, "lo", false, "find players on this machine only (beacons on 127.255.255.255)")
	fs.StringVar(&c.AppID, "app", "cablecar.arena", "application id: only peers with the same one join")
	fs.StringVar(&c.Name, "name", "", "display name in beacons (default the host name)")
	fs.IntVar(&c.UDPPort, "port", 0, "UDP beacon port (default 0: the connector's, 8224)")
	fs.BoolVar(&c.headless, "headless", false, "no window: scripted input, a status line every second on stdout")
	fs.BoolVar(&c.script, "script", false, "scripted input in the window too (each player walks a small square)")
	fs.IntVar(&c.Ticks, "ticks", 0, "exit after this many ticks, 60 a second (default 0: no limit)")
	fs.IntVar(&c.Players, "players", 0, "exit once the world holds this many players and each has moved (after -linger; with -screenshot, once the frame is written) (default 0: never)")
	fs.DurationVar(&c.Linger, "linger", time.Second, "how long to go on after -players is reached, so that the others see it too")
	fs.DurationVar(&c.Timeout, "timeout", 0, "fail (exit status 1) if -players is not reached in this time (default 0: no limit)")
	fs.StringVar(&c.screenshot, "screenshot", "", "window: write the frame in which -players is reached to this PNG file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if c.Players < 0 || c.Players > game.MaxPlayers {
		return nil, fmt.Errorf("-players %d: want 0 to %d", c.Players, game.MaxPlayers)
	}
	if c.screenshot != "" && (c.headless || c.Players == 0) {
		return nil, errors.New("-screenshot needs a window and -players")
	}
	return &c, nil
}

func run(args []string, stdout io.Writer) error {
	c, err := parse(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := game.NewSession(ctx, c.Options)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "me %016x\n", s.ID())
	if c.headless {
		return game.Headless(ctx, s, c.Limits, stdout)
	}
	return window(ctx, s, c, stdout)
}
