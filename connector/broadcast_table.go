package connector

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// registerLocked makes conn the connection of e (native mode), replacing
// and dropping an older one, and queues OnConnect. With OneToOne it ends
// discovery.
func (c *BroadcastConnector) registerLocked(e *peerEntry, conn net.Conn, r *record, outgoing bool, addr netip.AddrPort) {
	if e.conn != nil && c.cfg.Secured && connGone(e.conn.Conn) == nil {
		// Secured: a second connection claiming a connected peer's id
		// never replaces the first, which may be the proven one.
		c.log.Debug("connector: second connection to a connected peer id, closing it", "peer", e.key, "addr", addr)
		conn.Close()
		return
	}
	if e.conn != nil {
		reason := ErrReplaced
		if err := connGone(e.conn.Conn); err != nil {
			reason = connReason(err) // it had closed it: say so
		}
		c.dropLocked(e, reason)
	}
	if e.name != string(r.name) {
		e.name = string(r.name)
	}
	if !slices.Equal(e.meta, r.meta) {
		e.meta = slices.Clone(r.meta)
	}
	e.addr = addr
	np := int(r.np) // accepted: the nameplate the dialer joins
	if outgoing {
		np = int(e.np) // dialed: the one its beacon offered
	}
	c.connectLocked(e, conn, Peer{ID: e.key.id, Name: e.name, Metadata: e.meta, Addr: addr, Outgoing: outgoing, Nameplate: np})
}

// registerCompat registers an accepted compat connection.
func (c *BroadcastConnector) registerCompat(conn net.Conn, remote netip.AddrPort, outgoing bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.discoveryOn {
		conn.Close()
		return
	}
	key := peerKey{ip: remote.Addr()}
	e := c.peers[key]
	if e == nil {
		if e = c.newEntryLocked(key, remote.Addr(), time.Now()); e == nil {
			conn.Close()
			return
		}
	}
	if !c.roomForConnLocked(e) {
		c.forgetUnheardLocked(e)
		conn.Close()
		return
	}
	c.registerCompatLocked(e, conn, remote, outgoing)
}

// registerCompatLocked keeps the first connection per IP, as cable_car's
// socket table does, and closes later ones.
func (c *BroadcastConnector) registerCompatLocked(e *peerEntry, conn net.Conn, addr netip.AddrPort, outgoing bool) {
	if e.conn != nil {
		c.log.Debug("connector: second compat connection from the same IP, closing it", "addr", addr)
		conn.Close()
		return
	}
	c.connectLocked(e, conn, Peer{Addr: addr, Outgoing: outgoing})
}

func (c *BroadcastConnector) connectLocked(e *peerEntry, conn net.Conn, p Peer) {
	pc := &peerConn{Conn: conn, c: c, key: e.key}
	p.Conn = pc
	pc.peer = p
	e.conn = pc
	e.connectedAt = time.Now()
	c.nconns++
	c.stats.connects.Add(1)
	c.log.Debug("connector: connected", "peer", e.key, "addr", p.Addr, "outgoing", p.Outgoing, "name", p.Name)
	c.enqueueLocked(event{connect: true, peer: p})
	if c.cfg.OneToOne && !c.cfg.Secured {
		c.endDiscoveryLocked(kindQuiet) // Secured: at Paired
	}
}

// peerLeftLocked handles e's goodbye beacon. A peer says goodbye just
// before it closes its connections, so ours may still hold what it sent
// last (a quit message, say). Such a connection stays until the user has
// read it to the end or the sweep sees the end, PeerTimeout at most, and
// is then dropped with ErrPeerLeft; anything else of e goes at once. A
// connection whose end (FIN) has arrived already is dropped too, but its
// Reads still end in a clean io.EOF: a clean leave looks the same to the
// reader whichever of the FIN and the goodbye comes first.
func (c *BroadcastConnector) peerLeftLocked(e *peerEntry, now time.Time) {
	if e.conn == nil {
		delete(c.peers, e.key)
		return
	}
	gone := connGone(e.conn.Conn)
	e.leftAt, e.heard = now, false
	if gone == nil {
		return
	}
	c.dropLocked(e, connReason(gone)) // reported as ErrPeerLeft
	delete(c.peers, e.key)
}

// dropLocked closes e's connection and queues OnDisconnect. cause is what
// ended it; Reads and Writes on the user's conn return it from now on (see
// markDropped), and it is the reason given to OnDisconnect too, except
// that once the peer said goodbye the reason is ErrPeerLeft (but for
// Stop's ErrStopped).
func (c *BroadcastConnector) dropLocked(e *peerEntry, cause error) {
	reason := cause
	if !e.leftAt.IsZero() && cause != ErrStopped {
		reason = ErrPeerLeft
	}
	e.leftAt = time.Time{}
	pc := e.conn
	e.conn, e.taken = nil, nil
	c.nconns--
	pc.markDropped(cause)
	_ = pc.Conn.Close()
	c.stats.disconnects.Add(1)
	c.log.Debug("connector: disconnected", "peer", e.key, "reason", reason)
	c.enqueueLocked(event{peer: pc.peer, reason: reason})
}

// forgetUnheardLocked removes e when it holds nothing: no connection, no
// dial, never heard (an entry made for a connection that was refused).
func (c *BroadcastConnector) forgetUnheardLocked(e *peerEntry) {
	if e.conn == nil && !e.dialing && !e.heard {
		delete(c.peers, e.key)
	}
}

// connFailed drops pc's peer after the user closed pc, or a Read or Write
// on it failed, unless pc was dropped or replaced already.
func (c *BroadcastConnector) connFailed(pc *peerConn, err error) {
	reason := connReason(err)
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.peers[pc.key]
	if e == nil || e.conn != pc {
		return
	}
	c.dropLocked(e, reason)
	c.forgetOrWaitLocked(e, time.Now())
}

// forgetOrWaitLocked runs after a drop: a peer never heard is forgotten;
// a heard one stays, to be dialed again on its next beacon, and counts as
// newly heard for the dial rule.
func (c *BroadcastConnector) forgetOrWaitLocked(e *peerEntry, now time.Time) {
	if !e.heard || e.dialing {
		if !e.dialing {
			delete(c.peers, e.key)
		}
		return
	}
	e.firstHeard = now
}

// errTaken is what connGone returns when its peek read a bare end of
// stream on an aborted connection: the socket's error (a reset, a
// timeout) was taken by a Read in progress, which reports it. Only the
// sweep tells it from io.EOF; for the rest (connReason) it is io.EOF.
var errTaken = errors.New("connector: connection aborted, its error read by the connection's reader")

// connReason maps a connection error to the reason given to OnDisconnect.
func connReason(err error) error {
	switch {
	case err == errTaken:
		return io.EOF
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, ErrPeerTimeout):
		return err
	case errors.Is(err, syscall.ETIMEDOUT):
		return errors.Join(ErrPeerTimeout, err)
	}
	return err
}

// sweepLoop is the connection watcher goroutine: every sweepEvery it
// checks the peer table (see sweep). It runs until Stop.
func (c *BroadcastConnector) sweepLoop() {
	defer c.sweepWG.Done()
	t := time.NewTicker(c.sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stopCh:
			return
		case <-t.C:
			c.sweep(time.Now())
		}
	}
}

// sweep drops connected peers whose connection has ended (peeked without
// reading: FIN, reset, keepalive timeout, closed descriptor) or, in native
// mode while discovery runs, whose beacons stopped for PeerTimeout (unless
// they announced they stopped beaconing); and forgets heard peers that fell
// silent. A connection whose error a Read has just taken (errTaken) is
// left to that Read for one sweep.
func (c *BroadcastConnector) sweep(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweepLocked(now)
}

// sweepLocked is sweep, with c.mu held.
func (c *BroadcastConnector) sweepLocked(now time.Time) {
	c.pruneDialBucketsLocked(now)
	c.pruneHelloBucketsLocked(now)
	for key, e := range c.peers {
		silent := e.heard && !e.quiet && now.Sub(e.lastHeard) > c.cfg.PeerTimeout
		switch {
		case e.conn != nil && !e.leftAt.IsZero() && now.Sub(e.leftAt) > c.cfg.PeerTimeout:
			c.dropLocked(e, ErrPeerLeft)
			delete(c.peers, key)
		case e.conn != nil:
			err := connGone(e.conn.Conn)
			if err == errTaken && e.taken != e.conn {
				// A Read (the Messenger's) took the socket's error just
				// now and is reporting it (peerConn.failed, waiting for
				// this lock): dropping the peer here for a bare end of
				// stream would hide it (a pulled cable's ETIMEDOUT read as
				// a clean end). That Read drops it; should none (a reader
				// that bypasses the wrapper), the next sweep does.
				e.taken = e.conn
				continue
			}
			if err != nil {
				c.dropLocked(e, connReason(err))
				c.forgetOrWaitLocked(e, now)
			} else if c.discoveryOn && !c.cfg.Compat && !c.cfg.Secured &&
				(silent || (c.unprovenConn(e) && now.Sub(e.connectedAt) > c.cfg.PeerTimeout)) {
				// Silent for PeerTimeout, or connected that long and never
				// heard in a beacon.
				c.dropLocked(e, ErrPeerTimeout)
				delete(c.peers, key)
			}
		case e.dialing:
		case !e.heard || silent || !c.discoveryOn:
			delete(c.peers, key)
		}
	}
}
