// Package app is examples/chat, the chat room, as a package: the chat's
// main calls Run with an Ext that adds -relay (package relay, through a
// NATS server, for peers that share no LAN); the package itself knows
// only the room.Transport that Ext makes.
//
// Every line typed goes to every peer found, and joins and leaves are
// announced. -lo keeps it on this machine (beacons to 127.255.255.255).
// With a secret only the peers that have it join: -password PW, or a join
// code (-code to host, -code 7-guitarist-revenge to join; LAN only).
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cablecar-go/cablecar/room"
)

// config is what the flags say.
type config struct {
	name   string
	lo     bool
	port   int
	compat bool

	code     codeFlag // -code: host an invitation, or join with a code
	password string   // -password

	relay     string         // -relay URL (with Ext.Relay)
	lan       bool           // -lan: with -relay, the LAN as well (the flag's default: true)
	transport room.Transport // Ext.Relay(relay), made by Run
}

// Ext is what a program adds to the chat: the chat's main fills it in
// with package relay (through relay/natsflag). A nil *Ext is the chat on
// the LAN only.
type Ext struct {
	// Relay makes the room.Transport for -relay URL (called once, after
	// the flags are parsed; the room starts and closes it). Nil: the chat
	// has no -relay and no -lan flag.
	Relay func(url string) (room.Transport, error)

	// Flags, if set, adds the extension's own flags (-token, -ca, ...)
	// to the chat's before they are parsed (their help is in -h).
	Flags func(*flag.FlagSet)
}

// errBadFlags is a combination of flags the chat refuses.
var errBadFlags = errors.New("bad flags")

// parseFlags parses the chat's flags (and ext's) from args; errors are
// also written to stderr, with the usage for a flag the set does not know.
func parseFlags(args []string, stderr io.Writer, ext *Ext) (config, error) {
	cfg := config{lan: true}
	host, _ := os.Hostname()
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.name, "name", fmt.Sprintf("%s-%d", host, os.Getpid()), "your name in the room")
	fs.BoolVar(&cfg.lo, "lo", false, "stay on this machine: beacons to 127.255.255.255 only")
	fs.IntVar(&cfg.port, "port", 0, "UDP beacon `port` (0 = the connector's default)")
	fs.BoolVar(&cfg.compat, "compat", false, "cable_car 1.0.1 discovery and stream (BROADCAST beacons, JSON, no hello)")
	secureFlags(fs, &cfg)
	if ext != nil && ext.Relay != nil {
		fs.StringVar(&cfg.relay, "relay", "", "NATS server `URL` (comma-separated for a cluster; tls:// for TLS): find peers through it\n"+
			"as well, for peers that share no LAN (default none)")
		fs.BoolVar(&cfg.lan, "lan", true, "with -relay: find peers on the LAN too; -lan=false is the relay only")
	}
	if ext != nil && ext.Flags != nil {
		ext.Flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if err := cfg.code.finish(fs); err != nil {
		fmt.Fprintln(stderr, "chat:", err)
		return cfg, err
	}
	var bad string
	switch {
	case cfg.relay != "" && cfg.compat:
		bad = "-relay cannot be combined with -compat: cable_car 1.0.1 peers are on the LAN only"
	case cfg.relay != "" && cfg.code.set:
		bad = "-code works on the LAN only; through the relay use -password"
	case !cfg.lan && cfg.relay == "":
		bad = "-lan=false needs -relay (else nothing finds peers)"
	}
	if bad != "" {
		fmt.Fprintln(stderr, "chat:", bad)
		return cfg, fmt.Errorf("%w: %s", errBadFlags, bad)
	}
	return cfg, nil
}

// Run is the chat with the command-line arguments args (without the
// program name): it reads lines from in and writes the room to out until
// ctx ends or in is closed; errors go to stderr. It returns the exit
// status: 0, 1 for an error, 2 for bad flags. ext adds to it; nil for
// none.
func Run(ctx context.Context, args []string, in io.Reader, out, stderr io.Writer, ext *Ext) int {
	cfg, err := parseFlags(args, stderr, ext)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if cfg.relay != "" {
		if cfg.transport, err = ext.Relay(cfg.relay); err != nil {
			fmt.Fprintln(stderr, "chat: -relay:", err)
			return 2
		}
	}
	if err := run(ctx, cfg, in, out); err != nil {
		fmt.Fprintln(stderr, "chat:", err)
		return 1
	}
	return 0
}
