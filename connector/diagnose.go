package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Severity ranks a Finding of the doctor (Diagnose).
type Severity int

const (
	// SevOK: a check passed ("eth0: beacons go to 10.0.0.255").
	SevOK Severity = iota
	// SevInfo: worth knowing, not a fault (an interface skipped because it
	// is down, a peer of this application heard).
	SevInfo
	// SevWarn: probably why peers are not found (our beacon does not come
	// back, beacons of another application id).
	SevWarn
	// SevError: discovery cannot work as configured (no usable interface,
	// the beacon port cannot be bound, a firewall rule drops it).
	SevError
)

// String returns "ok", "info", "warn" or "error".
func (s Severity) String() string {
	switch s {
	case SevOK:
		return "ok"
	case SevInfo:
		return "info"
	case SevWarn:
		return "warn"
	case SevError:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Finding is one line of a doctor's Report.
type Finding struct {
	Severity Severity
	// Check names what was checked: "interface", "port", "echo",
	// "firewall", "heard", "mdns".
	Check string
	// Message says what was found, Advice what to do about it (empty for
	// a passed check).
	Message string
	Advice  string
	// Err is the sentinel the finding stands for (ErrNoInterface,
	// ErrPortInUse, ErrNoEcho, ErrFirewall, ErrForeignApp, ErrOtherVersion,
	// ErrCompatPeer, ErrGarbage, ErrMDNS, ...), for errors.Is through
	// Report.Err; nil for SevOK and most SevInfo findings.
	Err error
}

// String formats the finding as one line: severity, check, message and,
// after " -- ", the advice.
func (f Finding) String() string {
	s := fmt.Sprintf("%-5s %-9s %s", f.Severity, f.Check, f.Message)
	if f.Advice != "" {
		s += " -- " + f.Advice
	}
	return s
}

// Report is what Diagnose found, one Finding per line, in the order the
// checks ran: interfaces, firewall, ports, own beacon, what was heard,
// mDNS.
type Report struct {
	Findings []Finding
}

// Worst returns the highest severity of the findings (SevOK for none).
func (r *Report) Worst() Severity {
	w := SevOK
	for _, f := range r.Findings {
		w = max(w, f.Severity)
	}
	return w
}

// OK reports whether nothing is wrong: no finding is SevWarn or SevError.
func (r *Report) OK() bool { return r.Worst() < SevWarn }

// First returns the most severe finding (the first of them in report
// order), and false when the report is OK.
func (r *Report) First() (Finding, bool) {
	if r.OK() {
		return Finding{}, false
	}
	w := r.Worst()
	for _, f := range r.Findings {
		if f.Severity == w {
			return f, true
		}
	}
	return Finding{}, false // not reached
}

// Err returns nil when the report is OK, else an error for the most
// severe finding that wraps its sentinel and joins the errors of every
// SevWarn and SevError finding, so that errors.Is(rep.Err(), ErrFirewall)
// says whether any finding blamed a firewall.
func (r *Report) Err() error {
	first, ok := r.First()
	if !ok {
		return nil
	}
	var errs []error
	for _, f := range r.Findings {
		if f.Severity >= SevWarn && f.Err != nil {
			errs = append(errs, f.Err)
		}
	}
	return &reportError{msg: first.Check + ": " + first.Message, errs: errs}
}

// Has reports whether a finding of at least SevInfo stands for target
// (errors.Is).
func (r *Report) Has(target error) bool {
	for _, f := range r.Findings {
		if f.Severity >= SevInfo && f.Err != nil && errors.Is(f.Err, target) {
			return true
		}
	}
	return false
}

// String returns the findings, one per line.
func (r *Report) String() string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// reportError is Report.Err's error.
type reportError struct {
	msg  string
	errs []error
}

func (e *reportError) Error() string   { return "connector: doctor: " + e.msg }
func (e *reportError) Unwrap() []error { return e.errs }

// DiagnoseMinListen is the shortest time Diagnose listens on the beacon
// port: it listens 2.5 × BroadcastConfig.Interval, but at least this.
const DiagnoseMinListen = 500 * time.Millisecond

// Diagnose checks why discovery configured by cfg might find nobody and
// explains it: the interfaces beacons would go out on and their broadcast
// addresses, those skipped and why; whether the beacon port (and a fixed
// TCP port) can be bound; firewall rules (nftables, iptables, where the
// tools are installed) that drop the beacon or TCP ports; whether our own
// beacon comes back to us on each interface; what is heard on the beacon
// port (peers of this application, other application ids, other protocol
// versions, cable_car's "BROADCAST" on 8222, garbage); and, with
// cfg.Discovery set, whether it finds our own announcement (mDNS: the
// responder answers our own query).
//
// It sends beacons only where discovery would (the interfaces cfg selects;
// 127.255.255.255 only with Loopback): goodbye records of a fresh peer id,
// which peers ignore (in compat mode cable_car's "BROADCAST", which makes
// Python peers try to connect). It listens for 2.5 × Interval (at least
// DiagnoseMinListen), less when ctx ends sooner, and may run beside a
// running connector on the same host. The error is non-nil only for a bad
// cfg (ErrInvalidConfig) or when ctx has ended before the first check;
// what is wrong with the network is in the Report (see Report.Err).
func Diagnose(ctx context.Context, cfg *BroadcastConfig) (*Report, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connector: doctor: %w", err)
	}
	return diagnose(ctx, c, false), nil
}

// Diagnose runs the doctor (the package function Diagnose) for this
// connector's configuration, beside the running discovery: the TCP port
// it holds itself is not reported as taken. The error is non-nil only
// when ctx has already ended.
func (c *BroadcastConnector) Diagnose(ctx context.Context) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connector: doctor: %w", err)
	}
	c.mu.Lock()
	running := c.state == stateStarted
	c.mu.Unlock()
	return diagnose(ctx, c.cfg, running), nil
}

// diagnose runs the checks; ownTCP skips the bind check of a fixed TCP
// port (a running connector holds it).
func diagnose(ctx context.Context, c BroadcastConfig, ownTCP bool) *Report {
	d := &doctor{cfg: c, rep: &Report{}, ownTCP: ownTCP}
	d.checkInterfaces()
	d.checkFirewall(ctx)
	d.listen(ctx)
	d.checkDiscoverer(ctx)
	return d.rep
}

// doctor is one Diagnose run.
type doctor struct {
	cfg     BroadcastConfig
	rep     *Report
	targets []doctorTarget
	ownTCP  bool // the TCP port is held by the connector being diagnosed
}

func (d *doctor) add(sev Severity, check string, err error, advice, format string, args ...any) {
	d.rep.Findings = append(d.rep.Findings, Finding{
		Severity: sev, Check: check, Message: fmt.Sprintf(format, args...), Advice: advice, Err: err,
	})
}

// listenFor is how long the doctor listens.
func (d *doctor) listenFor() time.Duration {
	return max(d.cfg.Interval*5/2, DiagnoseMinListen)
}

// checkDiscoverer starts cfg.Discovery with a fresh peer id and waits for
// it to report our own announcement (mDNS: the responder answers our own
// query).
func (d *doctor) checkDiscoverer(ctx context.Context) {
	disc := d.cfg.Discovery
	if disc == nil {
		return
	}
	if d.cfg.Loopback {
		d.add(SevInfo, "mdns", nil, "", "Loopback: the discoverer (mDNS, multicast on the LAN) is not checked")
		return
	}
	self := newPeerID()
	found := make(chan struct{})
	var once sync.Once
	sess, err := disc.StartDiscovery(Announcement{
		ID: self, AppID: d.cfg.AppID, Name: d.cfg.Name, Port: 9, // discard: the doctor accepts nothing
		Interval: d.cfg.Interval, PeerTimeout: d.cfg.PeerTimeout, InterfaceRefresh: d.cfg.InterfaceRefresh,
		Interfaces: d.cfg.Interfaces, Loopback: d.cfg.Loopback, Logger: slog.New(slog.DiscardHandler),
	}, func(s Sighting) {
		if s.ID == self {
			once.Do(func() { close(found) })
		}
	})
	if err != nil {
		d.add(SevError, "mdns", fmt.Errorf("%w: %w", ErrMDNS, err), "another mDNS responder may hold udp 5353 without sharing it",
			"the discoverer cannot start: %v", err)
		return
	}
	defer sess.Close()
	wait := d.listenFor()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-found:
		d.add(SevOK, "mdns", nil, "", "the discoverer (mDNS) finds our own announcement")
	case <-t.C:
		d.add(SevWarn, "mdns", ErrMDNS, "the network or a firewall drops multicast 224.0.0.251:5353, or no interface has multicast",
			"the discoverer (mDNS) did not find our own announcement in %v", wait.Round(time.Millisecond))
	case <-ctx.Done():
		d.add(SevInfo, "mdns", nil, "", "the mDNS check was cut short: %v", ctx.Err())
	}
}
