// Package app is cpumon, the machine monitor, as a package: cpumon's main
// calls Run with an Ext that adds -relay (package relay, through a NATS
// server, for machines that share no LAN); the package itself knows only
// the room.Transport that Ext makes.
//
// Every machine that runs it shows the CPU, load, memory, swap,
// temperature and GPUs of every other one in one live table. In native
// mode each machine's stats are a replica Cacheable over a msgpack room
// (the table observes every peer's; see native.go). With -compat it
// speaks cable_car 1.0.1's cpu_mon, so Go and Python monitors on one LAN
// see each other. Run cpumon -h for the flags.
package app

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/connector/mdns"
	"github.com/cablecar-go/cablecar/cpumon/internal/screen"
	"github.com/cablecar-go/cablecar/cpumon/internal/stats"
	"github.com/cablecar-go/cablecar/cpumon/internal/table"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// cable_car 1.0.1's cpu_mon ports and beacon interval.
const (
	compatUDPPort  = 8226
	compatTCPPort  = 8227
	compatInterval = 3 * time.Second
)

type options struct {
	local    bool
	compat   bool
	json     bool
	interval time.Duration
	port     int
	verbose  bool
	mdns     bool
	doctor   bool
	tcpPort  int // compat TCP port; 0 means cpu_mon's 8227 (tests change it)
	password string
	relay    string // -relay URL: with Ext.Relay, a NATS server
	lan      bool   // -lan (default true): the LAN as well as the relay
	// transport is Ext.Relay(relay), made by Run after the flags.
	transport room.Transport
}

const usageText = `Usage: cpumon [flags]

cpumon shows every machine on the LAN that runs it - CPU, load average,
memory, swap, CPU temperature and GPUs - in one live table, one row per
host. Start it on each machine; they find each other by UDP broadcast.
Ctrl-C quits.

Flags:
  -local
        this machine only: beacons and connections stay on loopback
        (127.255.255.255). Run it in two terminals to see two rows; each
        process is named host#pid so the rows can be told apart.
  -compat
        speak cable_car 1.0.1's cpu_mon exactly: UDP 8226 / TCP 8227,
        "BROADCAST" beacons every 3s, JSON lines ["MsgStats",{...}] with its
        fields only, so Go and Python monitors see each other. One compat
        monitor per machine (the TCP port is fixed).
  -json
        no table: print one JSON object per line - {"type":"self",...} first,
        then {"type":"stats","peer":...,"stats":{...}} for each stats message
        received and {"type":"gone","peer":...} when a peer leaves - for
        scripts.
  -interval duration
        time between two samples of this machine (default 3s).
  -port number
        UDP beacon port (default 8224; 8226 with -compat). Monitors with
        different ports do not see each other.
  -mdns
        find monitors by mDNS (_cablecar._tcp) as well as by broadcast,
        for networks that filter broadcast but pass multicast. Not with
        -local or -compat.
  -doctor
        do not monitor: check why monitors might not find each other
        (interfaces, ports, firewall, our own beacon, what else is heard
        on the port, mDNS with -mdns) with the other flags as given, print
        one line per finding with advice, exit 1 if something is wrong.
  -password string
        see only the monitors started with the same password: every
        connection runs a PAKE (CPace) with it and is sealed; a monitor
        without it, or with another, sees none of them (and they do not
        see it). Other users of this machine can read it in ps. Not with
        -compat (cable_car has no security).
  -v    debug logging to stderr (redirect it: cpumon -v 2>cpumon.log).
  -h    this help.
`

// relayUsageText is the help of -relay and -lan, which a cpumon has when
// its Ext has a Relay.
const relayUsageText = `  -relay URL
        find monitors through a NATS server as well as on the LAN, for
        machines that share no LAN: run a server where every machine
        reaches it (go run github.com/nats-io/nats-server/v2@v2.15.2) and
        on each machine cpumon -relay nats://HOST:4222. A monitor reached
        both ways is one row. -password runs end to end through the
        server (it sees ciphertext only). Not with -compat or -doctor.
  -lan
        with -relay: find monitors on the LAN too (default true);
        -lan=false uses the relay only (no beacons at all).
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	return parseFlagsExt(args, stderr, nil)
}

// parseFlagsExt parses cpumon's flags and ext's; -relay and -lan are
// flags only when ext has a Relay.
func parseFlagsExt(args []string, stderr io.Writer, ext *Ext) (options, error) {
	o := options{lan: true}
	hasRelay := ext != nil && ext.Relay != nil
	fs := flag.NewFlagSet("cpumon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		if hasRelay {
			fmt.Fprint(stderr, relayUsageText)
		}
		if ext != nil && ext.Usage != "" {
			fmt.Fprint(stderr, ext.Usage)
		}
	}
	if ext != nil && ext.Flags != nil {
		ext.Flags(fs)
	}
	if hasRelay {
		fs.StringVar(&o.relay, "relay", "", "")
		fs.BoolVar(&o.lan, "lan", true, "")
	}
	fs.BoolVar(&o.local, "local", false, "")
	fs.BoolVar(&o.compat, "compat", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.DurationVar(&o.interval, "interval", stats.DefaultInterval, "")
	fs.IntVar(&o.port, "port", 0, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.mdns, "mdns", false, "")
	fs.BoolVar(&o.doctor, "doctor", false, "")
	fs.StringVar(&o.password, "password", "", "")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cpumon: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return o, errors.New("unexpected argument")
	}
	if o.interval < stats.MinInterval {
		fmt.Fprintf(stderr, "cpumon: -interval %v is below %v\n", o.interval, stats.MinInterval)
		return o, errors.New("bad interval")
	}
	if o.mdns && (o.local || o.compat) {
		fmt.Fprintln(stderr, "cpumon: -mdns works neither with -local (mDNS is multicast on the LAN) nor with -compat (cable_car has no mDNS)")
		return o, errors.New("bad flags")
	}
	if o.password != "" && o.compat {
		fmt.Fprintln(stderr, "cpumon: -password cannot be combined with -compat: cable_car 1.0.1's protocol has no security")
		return o, errors.New("bad flags")
	}
	if o.relay != "" {
		switch {
		case o.compat:
			fmt.Fprintln(stderr, "cpumon: -relay cannot be combined with -compat: cable_car 1.0.1 peers are on the LAN only")
			return o, errors.New("bad flags")
		case o.doctor:
			fmt.Fprintln(stderr, "cpumon: -doctor checks the LAN only; run it without -relay")
			return o, errors.New("bad flags")
		}
	}
	if !o.lan && (o.relay == "" || o.mdns) {
		fmt.Fprintln(stderr, "cpumon: -lan=false needs -relay (else nothing finds peers) and cannot be combined with -mdns")
		return o, errors.New("bad flags")
	}
	if o.port < 0 || o.port > 65535 {
		fmt.Fprintf(stderr, "cpumon: -port %d is not a port\n", o.port)
		return o, errors.New("bad port")
	}
	return o, nil
}

// Ext is what a program adds to cpumon: cpumon's main fills it in with
// package relay (through relay/natsflag). A nil *Ext is cpumon on the LAN
// only.
type Ext struct {
	// Relay makes the room.Transport for -relay URL (called once, after
	// the flags are parsed; the room starts and closes it). Nil: cpumon
	// has no -relay and no -lan flag.
	Relay func(url string) (room.Transport, error)

	// Flags, if set, adds the extension's own flags (-token, -ca, ...)
	// to cpumon's before they are parsed; Usage is printed after
	// cpumon's usage text (their help).
	Flags func(*flag.FlagSet)
	Usage string
}

// Run is cpumon with the command-line arguments args (without the
// program name) until ctx ends; it returns the exit status (0, 1 for an
// error, 2 for bad flags). ext adds to it; nil for none.
func Run(ctx context.Context, args []string, stdout, stderr *os.File, ext *Ext) int {
	o, err := parseFlagsExt(args, stderr, ext)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if o.doctor {
		return doctorRun(ctx, o, stdout)
	}
	if o.relay != "" {
		if o.transport, err = ext.Relay(o.relay); err != nil {
			fmt.Fprintln(stderr, "cpumon: -relay:", err)
			return 2
		}
	}
	if err := monitorRun(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "cpumon:", err)
		return 1
	}
	return 0
}

func monitorRun(ctx context.Context, o options, stdout, stderr *os.File) error {
	log := slog.New(slog.DiscardHandler)
	if o.verbose {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	host, _ := os.Hostname()
	if o.local {
		host += "#" + strconv.Itoa(os.Getpid())
	}
	coll := stats.NewCollector(&stats.Config{Interval: o.interval, Host: host, Logger: log})
	defer coll.Close()

	codec := message.NewJSONCodec(nil)
	codec.Register(func() message.Message { return new(wire.MsgStats) })

	mo := &monitor{
		opts:    o,
		log:     log,
		codec:   codec,
		coll:    coll,
		hosts:   table.NewHosts(&table.Config{StaleAfter: 3*o.interval + time.Second, Linger: max(10*o.interval, 10*time.Second)}),
		members: map[room.PeerID]member{},
	}

	var (
		id   connector.PeerID
		addr string
		err  error
	)
	startCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = mo.startRoom(startCtx, host)
	if err == nil {
		id = connector.PeerID(mo.room.ID())
		if a := mo.room.Addr(); a != nil { // nil with the relay only
			addr = a.String()
		}
		// The goodbye to every peer (a clean leave; none in compat
		// mode), then the end of discovery; the collector and the
		// terminal are restored by the deferred calls.
		defer mo.room.Close()
	}
	cancel()
	if err != nil {
		return fmt.Errorf("starting discovery: %w", err)
	}
	mo.self = "self:" + id.String()

	if o.json {
		mo.json = newJSONWriter(stdout)
		if err := mo.json.write(jsonEvent{Type: "self", Peer: id.String(), Addr: addr, Host: host}, time.Now()); err != nil {
			return err
		}
	} else {
		scr := screen.New(stdout)
		defer scr.Close()
		mo.view = newView(scr, o)
		ds := newDoctorStatus(mo)
		defer ds.close()
		mo.view.status = ds.line
	}
	return mo.loop(ctx)
}

// startRoom starts the room.Room, found by broadcast (and mDNS with
// -mdns); it runs each hello off the loop and pings every peer. With
// -compat the room is in compat mode, on cpu_mon's ports and interval:
// cable_car 1.0.1's discovery, no hello, no pings (see compat.go).
func (mo *monitor) startRoom(ctx context.Context, host string) error {
	cfg := &room.Config{
		AppID:        appID,
		Name:         host,
		Codec:        nativeCodec(),
		Loopback:     mo.opts.local,
		UDPPort:      mo.opts.port,
		HelloTimeout: helloTimeout,
		Logger:       mo.log,
		Password:     mo.opts.password,
	}
	if mo.opts.compat {
		cfg.Compat = true
		cfg.Codec = mo.codec // cable_car's JSON, cpu_mon's messages
		cfg.UDPPort = cmp.Or(mo.opts.port, compatUDPPort)
		cfg.TCPPort = cmp.Or(mo.opts.tcpPort, compatTCPPort)
		cfg.Interval = compatInterval
	}
	if mo.opts.mdns {
		cfg.Discovery = mdns.New()
	}
	if mo.opts.transport != nil {
		cfg.Transports = []room.Transport{mo.opts.transport}
		if mo.opts.lan {
			cfg.Transports = append(cfg.Transports, room.LAN)
		}
	}
	r, err := room.New(ctx, cfg)
	if err != nil {
		return err
	}
	mo.room = r
	if !mo.opts.compat {
		mo.native = newNative(r)
	}
	return nil
}
