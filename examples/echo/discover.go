package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

// discoveryFlags are the flags of discovery mode (the BroadcastConnector).
type discoveryFlags struct {
	on bool
	lo bool
}

func (d *discoveryFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.on, "discover", false, "find peers by broadcast and echo with each")
	fs.BoolVar(&d.lo, "lo", false, "with -discover: stay on this machine (beacons to 127.255.255.255)")
}

func (d *discoveryFlags) enabled() bool { return d.on }

func discover(ctx context.Context, cfg config, out io.Writer) error {
	return errors.New("-discover is not implemented yet")
}
