package connector

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"time"
)

// listenLoop is the beacon listener goroutine: it reads datagrams until
// discovery ends (the socket is closed) and handles each one at once.
func (c *BroadcastConnector) listenLoop() {
	defer c.discWG.Done()
	// One byte more than the largest beacon: a longer datagram is cut to
	// this size by the kernel and recognised as oversize.
	buf := make([]byte, MaxBeaconSize+1)
	for {
		n, src, err := c.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || c.discCtx.Err() != nil {
				return
			}
			c.log.Warn("connector: beacon read error", "err", err)
			if !c.pause(10 * time.Millisecond) {
				return
			}
			continue
		}
		c.handleDatagram(buf[:n], netip.AddrPortFrom(src.Addr().Unmap(), src.Port()))
	}
}

// pause waits d or until discovery ends; it reports whether discovery
// goes on.
func (c *BroadcastConnector) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.discCtx.Done():
		return false
	}
}

// handleDatagram checks one datagram and updates the peer table.
func (c *BroadcastConnector) handleDatagram(b []byte, src netip.AddrPort) {
	ip := src.Addr()
	ns := c.nets.Load()
	if !inNets(ns.nets, ip) {
		c.stats.droppedForeign.Add(1)
		return
	}
	if c.cfg.Compat {
		c.handleCompatBeacon(b, src, ns)
		return
	}
	r, err := parseBeacon(b)
	if err != nil {
		c.stats.dropped.Add(1)
		if errors.Is(err, ErrUnsupportedVersion) {
			c.diag.otherVersion.Add(1)
		}
		return
	}
	if r.id == c.id {
		c.diag.ownHeard.Add(1)
		return // our own beacon
	}
	if string(r.app) != c.cfg.AppID {
		c.stats.droppedForeign.Add(1)
		c.diag.heardForeign(r.app)
		return
	}
	c.stats.beaconsReceived.Add(1)
	c.mu.Lock()
	isNew := c.onBeaconLocked(&r, ip)
	if r.kind != kindGoodbye {
		c.notePathLocked(peerKey{id: r.id}, PathBroadcast, ip, time.Now())
	}
	c.mu.Unlock()
	if isNew {
		c.requestBeacon() // let the newcomer hear us now, not in an interval
	}
}

// onBeaconLocked handles a valid native beacon of our application. It
// reports whether the peer is new (not heard before, or forgotten since).
func (c *BroadcastConnector) onBeaconLocked(r *record, ip netip.Addr) (isNew bool) {
	key := peerKey{id: r.id}
	e := c.peers[key]
	if r.kind == kindGoodbye {
		if e != nil {
			c.log.Debug("connector: peer said goodbye", "peer", r.id)
			if c.cfg.Secured && e.conn != nil {
				// A hint only: anyone can send it. The application's
				// sealed channel says whether the peer is gone.
				c.stats.hints.Add(1)
				return false
			}
			c.peerLeftLocked(e, time.Now())
		}
		return false
	}
	if !c.discoveryOn {
		return false
	}
	now := time.Now()
	if e == nil {
		if e = c.newEntryLocked(key, ip, now); e == nil {
			return false
		}
	}
	if !e.heard {
		isNew = true
		e.heard = true
		e.firstHeard = now
		c.log.Debug("connector: heard peer", "peer", r.id, "ip", ip, "port", r.port, "name", string(r.name))
	}
	e.lastHeard = now
	e.quiet = r.kind == kindQuiet
	if r.np != 0 && (r.np != e.np || isNew) && c.cfg.OnNameplate != nil {
		c.enqueueLocked(event{nameplate: true, peer: Peer{ID: r.id, Nameplate: int(r.np)}})
	}
	e.np = r.np // a hint, for Nameplates, NameplatePeers and the joiner's dial
	if e.conn == nil {
		e.addr = netip.AddrPortFrom(ip, r.port)
		if e.name != string(r.name) {
			e.name = string(r.name)
		}
		if !slices.Equal(e.meta, r.meta) {
			e.meta = slices.Clone(r.meta)
		}
		if c.shouldDialLocked(e, now) {
			c.startDialLocked(e)
		}
	}
	return isNew
}

// shouldDialLocked decides whether to dial a heard, unconnected peer. Only
// the peer with the lower id dials, so two peers normally make one
// connection; the other dials too once it has heard the peer for 1.5
// intervals without being connected (the lower one may not hear it).
// Simultaneous dials that still happen are settled by decideIncomingLocked.
func (c *BroadcastConnector) shouldDialLocked(e *peerEntry, now time.Time) bool {
	if e.conn != nil || e.dialing || e.quiet || e.addr.Port() == 0 || !c.discoveryOn {
		return false
	}
	if c.join != 0 {
		return e.np == c.join // a joiner dials the host of its nameplate, at once
	}
	return c.id < e.key.id || c.hooks.alwaysDial || now.Sub(e.firstHeard) >= c.cfg.Interval*3/2
}

// handleCompatBeacon handles a datagram in compat mode: cable_car's
// "BROADCAST" from an address that is not ours makes us dial that address
// on the TCP port, unless it is connected or being dialed.
func (c *BroadcastConnector) handleCompatBeacon(b []byte, src netip.AddrPort, ns *netState) {
	if string(b) != compatBeacon {
		c.stats.dropped.Add(1)
		return
	}
	ip := src.Addr()
	if slices.Contains(ns.ownIPs, ip) {
		c.diag.ownHeard.Add(1)
		return // ours, or this host's: cable_car does not dial its own IP either
	}
	c.stats.beaconsReceived.Add(1)
	key := peerKey{ip: ip}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.discoveryOn {
		return
	}
	now := time.Now()
	e := c.peers[key]
	if e == nil {
		if e = c.newEntryLocked(key, ip, now); e == nil {
			return
		}
	}
	if !e.heard {
		e.heard, e.firstHeard = true, now
		c.log.Debug("connector: heard compat peer", "ip", ip)
	}
	e.lastHeard = now
	if e.conn == nil && !e.dialing {
		e.addr = netip.AddrPortFrom(ip, uint16(c.cfg.TCPPort))
		c.startDialLocked(e)
	}
}
