package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/connector/mdns"
)

// doctorConfig is the discovery configuration the monitor would run with
// options o: the doctor checks exactly that.
func doctorConfig(o options) *connector.BroadcastConfig {
	host, _ := os.Hostname()
	cfg := &connector.BroadcastConfig{AppID: appID, Name: host, Loopback: o.local, UDPPort: o.port}
	if o.compat {
		cfg.Compat = true
		cfg.UDPPort = cmp.Or(o.port, compatUDPPort)
		cfg.TCPPort = cmp.Or(o.tcpPort, compatTCPPort)
		cfg.Interval = compatInterval
	}
	if o.mdns {
		cfg.Discovery = mdns.New()
	}
	return cfg
}

// doctorRun is cpumon -doctor: it prints connector.Diagnose's report for
// the discovery the monitor would run and returns the exit status: 0 when
// nothing is wrong, 1 when a finding is a warning or an error.
func doctorRun(ctx context.Context, o options, stdout io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := connector.Diagnose(ctx, doctorConfig(o))
	if err != nil {
		fmt.Fprintln(stdout, "cpumon: doctor:", err)
		return 1
	}
	fmt.Fprint(stdout, rep)
	if f, bad := rep.First(); bad {
		fmt.Fprintf(stdout, "\nmost likely: %s\n", f.Message)
		return 1
	}
	fmt.Fprintln(stdout, "\nno problem found")
	return 0
}

// statusAfter is how long the status line waits with nobody found before
// it adds the likely problem.
const statusAfter = 10 * time.Second

// discoveryStatus is the table's status line while no other host is seen:
// "looking for peers on eth0 (10.0.0.255), 0 heard for 5s", and after
// statusAfter with nobody, the likely problem.
func (mo *monitor) discoveryStatus() string {
	var p connector.Progress
	switch {
	case mo.room != nil:
		p = mo.room.Progress()
	case mo.conn != nil:
		p = mo.conn.Progress()
	}
	if p.Searching && p.Elapsed >= statusAfter && p.Problem() != nil {
		return p.Line(statusAfter) + " (cpumon -doctor explains more)"
	}
	return p.Line(statusAfter)
}
