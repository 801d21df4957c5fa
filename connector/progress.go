package connector

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/internal/netif"
)

// diagCounters are what discovery counts for Progress, beside stats.
type diagCounters struct {
	started      atomic.Int64 // Start, Unix nanoseconds
	ownHeard     atomic.Uint64
	sendFailures atomic.Uint64
	otherVersion atomic.Uint64
	lastSendErr  atomic.Pointer[error]
	foreignApp   atomic.Pointer[string] // the last other application id heard

	labelMu  sync.Mutex
	labelFor *netState // the netState label was made for
	label    []Target
}

// sendFailed records a failed beacon send.
func (d *diagCounters) sendFailed(err error) {
	d.sendFailures.Add(1)
	d.lastSendErr.Store(&err)
}

// heardForeign records a beacon of another application id; it allocates
// only when the id differs from the last one.
func (d *diagCounters) heardForeign(app []byte) {
	if p := d.foreignApp.Load(); p == nil || *p != string(app) {
		s := string(app)
		d.foreignApp.Store(&s)
	}
}

// Target is one place beacons go: an interface and its broadcast address.
type Target struct {
	Interface string     // "eth0"; "lo" with Loopback
	Broadcast netip.Addr // 10.0.0.255
}

// Progress is where discovery stands, for a status line while a program
// waits for peers: see BroadcastConnector.Progress and Progress.Line.
type Progress struct {
	// Searching is true while discovery runs (after Start, before its end).
	Searching bool
	// Elapsed is the time since Start (zero before).
	Elapsed time.Duration
	// Targets are where beacons go now (shared: do not modify).
	Targets []Target
	// Heard counts the peers of this application heard and not yet
	// forgotten; Connected those connected.
	Heard, Connected int
	// BeaconsSent and SendFailures count beacon datagrams sent and failed;
	// OwnHeard our own beacons heard back (native mode).
	BeaconsSent, SendFailures, OwnHeard uint64
	// Foreign counts beacons of other application ids (ForeignApp is the
	// last such id) and datagrams from outside the chosen subnets;
	// OtherVersion cablecar beacons of another protocol version; Garbage
	// other datagrams that are no beacon.
	Foreign, OtherVersion, Garbage uint64
	ForeignApp                     string
	// LastSendErr is the error of the last failed beacon send, or nil.
	LastSendErr error

	interval     time.Duration
	port         int
	discoveryOff bool // DiscoveryOnly
}

// Progress returns where discovery stands. It never blocks on the network
// (it takes the connector's lock for a moment, to count the peers); a
// status line may call it every frame, though once a second is plenty.
func (c *BroadcastConnector) Progress() Progress {
	p := Progress{
		BeaconsSent:  c.stats.beaconsSent.Load(),
		SendFailures: c.diag.sendFailures.Load(),
		OwnHeard:     c.diag.ownHeard.Load(),
		Foreign:      c.stats.droppedForeign.Load(),
		OtherVersion: c.diag.otherVersion.Load(),
		Garbage:      c.stats.dropped.Load() - min(c.stats.dropped.Load(), c.diag.otherVersion.Load()),
		interval:     c.cfg.Interval,
		port:         c.cfg.UDPPort,
		discoveryOff: c.cfg.DiscoveryOnly,
	}
	if s := c.diag.foreignApp.Load(); s != nil {
		p.ForeignApp = *s
	}
	if e := c.diag.lastSendErr.Load(); e != nil {
		p.LastSendErr = *e
	}
	if t := c.diag.started.Load(); t != 0 {
		p.Elapsed = time.Since(time.Unix(0, t))
	}
	c.mu.Lock()
	p.Searching = c.state == stateStarted && c.discoveryOn
	for _, e := range c.peers {
		if e.heard {
			p.Heard++
		}
		if e.conn != nil {
			p.Connected++
		}
	}
	c.mu.Unlock()
	p.Targets = c.targetLabels()
	return p
}

// targetLabels names the interfaces of the current broadcast targets; the
// names are looked up again only when the targets change.
func (c *BroadcastConnector) targetLabels() []Target {
	ns := c.nets.Load()
	if ns == nil {
		return nil
	}
	d := &c.diag
	d.labelMu.Lock()
	defer d.labelMu.Unlock()
	if d.labelFor == ns {
		return d.label
	}
	var out []Target
	if c.cfg.Loopback {
		out = []Target{{Interface: "lo", Broadcast: loopbackBroadcast}}
	} else {
		ifs, _ := net.Interfaces()
		for _, t := range ns.targets {
			out = append(out, Target{Interface: ifaceOf(ifs, t.Addr()), Broadcast: t.Addr()})
		}
	}
	d.labelFor, d.label = ns, out
	return out
}

// ifaceOf names the interface whose subnet has broadcast address b.
func ifaceOf(ifs []net.Interface, b netip.Addr) string {
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, p := range netif.IPv4Prefixes(addrs) {
			to, _ := broadcastNets([]ifaceInfo{{name: ifc.Name, flags: net.FlagUp | net.FlagBroadcast, addrs: []net.Addr{prefixAddr(p)}}}, nil)
			if len(to) == 1 && to[0] == b {
				return ifc.Name
			}
		}
	}
	return "?"
}

// String says where discovery stands, e.g. "looking for peers on eth0
// (10.0.0.255), 0 heard for 5s".
func (p Progress) String() string {
	var on string
	switch {
	case p.discoveryOff:
		on = "by the Discoverer only"
	case len(p.Targets) == 0:
		on = "on no interface"
	default:
		parts := make([]string, len(p.Targets))
		for i, t := range p.Targets {
			parts[i] = fmt.Sprintf("%s (%v)", t.Interface, t.Broadcast)
		}
		on = "on " + strings.Join(parts, ", ")
	}
	if !p.Searching {
		if p.Elapsed == 0 {
			return "discovery not started"
		}
		return fmt.Sprintf("discovery ended, %d connected", p.Connected)
	}
	s := fmt.Sprintf("looking for peers %s, %d heard", on, p.Heard)
	if p.Connected > 0 {
		s += fmt.Sprintf(", %d connected", p.Connected)
	}
	return s + fmt.Sprintf(" for %v", p.Elapsed.Truncate(time.Second))
}

// Problem returns the most likely reason nobody has been found, from what
// discovery has seen so far (a cheap, live version of the doctor,
// Diagnose): an error wrapping ErrNoInterface, ErrSendFailed, ErrNoEcho,
// ErrForeignApp, ErrOtherVersion, ErrGarbage or ErrNobodyHeard. It is nil
// while a peer is heard or connected, and before two beacon intervals
// have passed.
func (p Progress) Problem() error {
	if p.Elapsed < 2*p.interval {
		return nil
	}
	return p.problem()
}

func (p Progress) problem() error {
	if p.Heard > 0 || p.Connected > 0 {
		return nil
	}
	switch {
	case p.discoveryOff:
	case len(p.Targets) == 0:
		return fmt.Errorf("%w: no up, broadcast-capable interface (check the Interfaces option, or connect to a LAN)", ErrNoInterface)
	case p.BeaconsSent == 0 && p.SendFailures > 0:
		return fmt.Errorf("%w: %d sends failed, the last with: %w", ErrSendFailed, p.SendFailures, p.LastSendErr)
	case p.OwnHeard == 0 && p.BeaconsSent > 0:
		return fmt.Errorf("%w: %d sent, none came back: a firewall probably drops udp %d", ErrNoEcho, p.BeaconsSent, p.port)
	}
	switch {
	case p.ForeignApp != "":
		return fmt.Errorf("%w: heard beacons of application %q, none of ours", ErrForeignApp, p.ForeignApp)
	case p.OtherVersion > 0:
		return fmt.Errorf("%w: %d beacons of another cablecar protocol version, none of ours", ErrOtherVersion, p.OtherVersion)
	case p.Garbage > 0:
		return fmt.Errorf("%w: %d datagrams on udp %d that are no beacon: another program uses the port", ErrGarbage, p.Garbage, p.port)
	}
	return fmt.Errorf("%w: nobody on the LAN answers (the doctor, Diagnose, checks more)", ErrNobodyHeard)
}

// Line is the status line for a program waiting for peers: String, and
// once nobody has been heard for after, the Problem too: "looking for
// peers on eth0 (10.0.0.255), 0 heard for 12s: connector: own beacon not
// received: ...".
func (p Progress) Line(after time.Duration) string {
	s := p.String()
	if p.Searching && p.Elapsed >= after {
		if err := p.Problem(); err != nil {
			s += ": " + err.Error()
		}
	}
	return s
}

// NoPeerReason returns why no peer is connected, as far as discovery can
// see, at once (Progress.Problem waits two beacon intervals first): an
// error wrapping one of Problem's sentinels, or ErrNoConnection when peers
// were heard but none connected; nil while a peer is connected. Connect
// wraps it when it ends with nobody.
func (c *BroadcastConnector) NoPeerReason() error {
	p := c.Progress()
	if p.Connected > 0 {
		return nil
	}
	if p.Heard > 0 {
		s := c.Stats()
		return fmt.Errorf("%w: %d heard, %d dials failed, %d incoming rejected", ErrNoConnection, p.Heard, s.DialFailures, s.Rejected)
	}
	return p.problem()
}
