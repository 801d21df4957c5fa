package connector

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"
)

// compatBeacon is cable_car 1.0.1's beacon.
const compatBeacon = "BROADCAST"

// sendLoop is the beacon sender goroutine. It sends one beacon per
// Interval (±10 % jitter, so peers do not fall into step), an early one
// when the listener hears a new peer (early beacons are spaced at least
// min(Interval/8, 100 ms) apart), reads
// the interfaces again every InterfaceRefresh and whenever they change
// (ifwatch: Linux), with a beacon at once after a change, and when
// discovery ends sends the quiet beacon. It sleeps on one timer in between.
func (c *BroadcastConnector) sendLoop() {
	defer c.discWG.Done()
	ctx := c.discCtx
	ifChanged, stopWatch := c.watchInterfaces()
	defer stopWatch()
	np := c.np.Load() // before the payload: a SetNameplate in between rebuilds it at the first send
	payload := c.beaconPayload(kindBeacon)
	minGap := min(max(c.cfg.Interval/8, time.Millisecond), 100*time.Millisecond)

	lastRefresh := time.Now()
	var lastSent, kickAt time.Time
	next := time.Now() // the first beacon goes at once
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			c.mu.Lock()
			c.endDiscoveryLocked(kindQuiet) // the Timeout case; no-op otherwise
			final := c.finalKind
			c.mu.Unlock()
			if final == kindQuiet && !c.cfg.Compat {
				c.sendFinal(kindQuiet)
			}
			return
		case <-c.kick:
			if at := lastSent.Add(minGap); kickAt.IsZero() || at.Before(kickAt) {
				kickAt = at
			}
		case <-ifChanged:
			lastRefresh = time.Time{} // read them now
			if at := lastSent.Add(minGap); kickAt.IsZero() || at.Before(kickAt) {
				kickAt = at // and tell the (new) subnets at once
			}
		case <-timer.C:
		}
		now := time.Now()
		if now.Sub(lastRefresh) >= c.cfg.InterfaceRefresh {
			c.refreshNets()
			lastRefresh = now
		}
		if !now.Before(next) || (!kickAt.IsZero() && !now.Before(kickAt)) {
			if n := c.np.Load(); n != np { // SetNameplate
				np, payload = n, c.beaconPayload(kindBeacon)
			}
			c.sendBeacon(payload)
			lastSent, kickAt = now, time.Time{}
			jitter := time.Duration(rand.Int64N(int64(c.cfg.Interval)/5+1)) - c.cfg.Interval/10
			next = now.Add(c.cfg.Interval + jitter)
		}
		wake := next
		if !kickAt.IsZero() && kickAt.Before(wake) {
			wake = kickAt
		}
		timer.Reset(time.Until(wake))
	}
}

// beaconPayload returns the datagram for kind.
func (c *BroadcastConnector) beaconPayload(kind byte) []byte {
	if c.cfg.Compat {
		return []byte(compatBeacon)
	}
	r := c.self
	r.kind = kind
	r.np = uint16(c.np.Load())
	return appendExt(appendRecord(make([]byte, 0, MaxBeaconSize), &r), &r)
}

// sendBeacon sends payload to every broadcast target.
func (c *BroadcastConnector) sendBeacon(payload []byte) {
	if c.hooks.muted.Load() || c.cfg.DiscoveryOnly {
		return
	}
	for _, to := range c.nets.Load().targets {
		if _, err := c.send.WriteToUDPAddrPort(payload, to); err != nil {
			c.log.Debug("connector: beacon not sent", "to", to, "err", err)
			c.diag.sendFailed(err)
			continue
		}
		c.stats.beaconsSent.Add(1)
	}
}

// sendFinal sends a quiet or goodbye beacon, twice against a lost datagram.
func (c *BroadcastConnector) sendFinal(kind byte) {
	p := c.beaconPayload(kind)
	c.sendBeacon(p)
	c.sendBeacon(p)
}

// requestBeacon asks the sender for an early beacon; it never blocks.
func (c *BroadcastConnector) requestBeacon() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// refreshNets reads the interfaces again (not with Loopback) and stores the
// broadcast targets and subnets.
func (c *BroadcastConnector) refreshNets() {
	port := uint16(c.cfg.UDPPort)
	if c.cfg.Loopback {
		if c.nets.Load() == nil {
			c.nets.Store(&netState{
				targets: []netip.AddrPort{netip.AddrPortFrom(loopbackBroadcast, port)},
				nets:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
				ownIPs:  []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})},
			})
		}
		return
	}
	ifs, err := listInterfaces()
	if err != nil {
		c.log.Warn("connector: cannot read interfaces", "err", err)
		if c.nets.Load() == nil {
			c.nets.Store(&netState{})
		}
		return
	}
	addrs, nets := broadcastNets(ifs, c.cfg.Interfaces)
	ns := &netState{nets: nets}
	for _, a := range addrs {
		ns.targets = append(ns.targets, netip.AddrPortFrom(a, port))
	}
	for _, ifc := range ifs {
		for _, a := range ifc.addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() {
				ns.ownIPs = append(ns.ownIPs, p.Addr())
			}
		}
	}
	if old := c.nets.Load(); old == nil || !slices.Equal(old.targets, ns.targets) {
		if len(ns.targets) == 0 {
			c.log.Warn("connector: no broadcast-capable interface", "interfaces", c.cfg.Interfaces)
		} else {
			c.log.Debug("connector: beacon targets", "targets", ns.targets)
		}
	}
	c.nets.Store(ns)
}
