package app

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
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
// it adds the likely problem and runs the doctor (a variable: tests
// shorten it).
var statusAfter = 10 * time.Second

// doctorStatus makes the table's status line while no other host is seen:
// "looking for peers on eth0 (10.0.0.255), 0 heard for 5s"; after
// statusAfter with nobody, the likely problem, and the first finding of
// the doctor, run once in the background beside discovery.
type doctorStatus struct {
	mo     *monitor
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ran    bool

	mu    sync.Mutex
	found string // the doctor's line, once it has run
}

func newDoctorStatus(mo *monitor) *doctorStatus {
	ds := &doctorStatus{mo: mo}
	ds.ctx, ds.cancel = context.WithCancel(context.Background())
	return ds
}

// close stops the doctor, if it runs, and waits for it.
func (ds *doctorStatus) close() {
	ds.cancel()
	ds.wg.Wait()
}

// progress is discovery's progress and the doctor of the running mode.
func (ds *doctorStatus) progress() (connector.Progress, func(context.Context) (*connector.Report, error)) {
	if ds.mo.room != nil { // compat mode too: a room in compat mode
		return ds.mo.room.Progress(), ds.mo.room.Diagnose
	}
	return connector.Progress{}, nil
}

// line is the status line (one or two lines); it never blocks.
func (ds *doctorStatus) line() string {
	p, diagnose := ds.progress()
	l := p.Line(statusAfter)
	if !p.Searching || p.Elapsed < statusAfter || p.Heard > 0 || p.Connected > 0 {
		return l
	}
	if !ds.ran && diagnose != nil {
		ds.ran = true
		ds.wg.Go(func() {
			rep, err := diagnose(ds.ctx)
			found := "doctor: no problem found on this machine (cpumon -doctor shows the details)"
			if err != nil {
				found = "doctor: " + err.Error()
			} else if f, bad := rep.First(); bad {
				found = "doctor: " + f.Message
				if f.Advice != "" {
					found += " -- " + f.Advice
				}
			}
			ds.mu.Lock()
			ds.found = found
			ds.mu.Unlock()
		})
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.found != "" {
		return l + "\n" + ds.found
	}
	return l
}
