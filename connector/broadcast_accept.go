package connector

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// acceptLoop is the acceptor goroutine: it accepts TCP connections until
// discovery ends (the listener is closed) and runs the identify exchange of
// each on a goroutine of its own (at most cap(hsSem) at once; beyond that,
// connections are closed at once).
func (c *BroadcastConnector) acceptLoop() {
	defer c.discWG.Done()
	var pause time.Duration
	for {
		conn, err := c.tcp.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || c.discCtx.Err() != nil {
				return
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			c.log.Warn("connector: accept error", "err", err, "pause", pause)
			if !c.pause(pause) {
				return
			}
			continue
		}
		pause = 0
		remote := conn.RemoteAddr().(*net.TCPAddr).AddrPort()
		remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
		if !c.acceptableRemote(remote.Addr()) {
			c.stats.droppedForeign.Add(1)
			conn.Close()
			continue
		}
		c.mu.Lock()
		ok := c.identifySlotLocked(remote.Addr())
		c.mu.Unlock()
		if ok {
			select {
			case c.hsSem <- struct{}{}:
			default:
				ok = false
				c.mu.Lock()
				c.identifyDoneLocked(remote.Addr())
				c.mu.Unlock()
			}
		}
		if !ok {
			c.stats.rejected.Add(1)
			c.log.Debug("connector: too many connections in identify, closing", "remote", remote)
			conn.Close()
			continue
		}
		c.discWG.Add(1)
		go c.handleIncoming(conn, remote)
	}
}

// acceptableRemote applies Loopback and Interfaces to incoming connections.
func (c *BroadcastConnector) acceptableRemote(ip netip.Addr) bool {
	switch {
	case c.cfg.Loopback:
		return ip.IsLoopback()
	case len(c.cfg.Interfaces) > 0:
		return inNets(c.nets.Load().nets, ip)
	}
	return true
}

// handleIncoming runs on its own goroutine for one accepted connection.
func (c *BroadcastConnector) handleIncoming(conn *net.TCPConn, remote netip.AddrPort) {
	defer c.discWG.Done()
	defer func() {
		c.mu.Lock()
		c.identifyDoneLocked(remote.Addr())
		c.mu.Unlock()
		<-c.hsSem
	}()
	c.setKeepAlive(conn)
	if c.cfg.Compat {
		c.registerCompat(conn, remote, false)
		return
	}

	stop := interruptConn(c.discCtx, conn)
	_ = conn.SetDeadline(time.Now().Add(c.cfg.ConnTimeout))
	r, target, reason, err := c.readHello(conn)
	if interrupted := stop(); interrupted {
		conn.Close()
		return
	}
	if err != nil {
		c.log.Debug("connector: bad hello", "remote", remote, "err", err)
		c.stats.rejected.Add(1)
		conn.Close()
		return
	}
	if reason == 0 && target != c.id {
		reason = rejectTarget
	}
	if reason == 0 && r.np != 0 && uint32(r.np) != c.np.Load() {
		reason = rejectNameplate
	}
	if reason == 0 {
		c.mu.Lock()
		reason = c.decideIncomingLocked(&r, conn, remote)
		c.mu.Unlock()
		if reason == 0 {
			return // accepted and registered
		}
	}
	c.stats.rejected.Add(1)
	c.log.Debug("connector: rejecting connection", "remote", remote, "peer", r.id, "reason", rejectReasonString(reason))
	_ = writeAll(conn, rejectFrame(reason))
	conn.Close()
}

// readHello reads and checks the dialer's hello. A well-formed hello that
// must be refused gives a non-zero reject reason.
func (c *BroadcastConnector) readHello(conn net.Conn) (r record, target PeerID, reason byte, err error) {
	b, err := readFrame(conn)
	if err != nil {
		return r, 0, 0, err
	}
	r, target, err = parseHello(b)
	switch {
	case err != nil:
		return r, 0, 0, err
	case r.id == c.id:
		return r, target, rejectSelf, nil
	case string(r.app) != c.cfg.AppID:
		return r, target, rejectApp, nil
	}
	return r, target, 0, nil
}

// decideIncomingLocked settles which connection to a peer survives when a
// hello from it arrives, and on acceptance writes the accept frame and
// registers the connection. It returns 0 when accepted, or the reject
// reason. The rules, applied by the acceptor alone:
//
//   - not connected, not dialing it: accept.
//   - not connected, dialing it ourselves (a simultaneous dial): accept iff
//     the dialer's id is lower than ours. The other side applies the same
//     rule to our hello, so exactly the connection dialed by the lower id
//     survives, on both sides.
//   - connected: a peer dials only when it holds no connection to us, so it
//     has closed ours (or never had it: a dial that lost the rule above).
//     Accept and replace once ours has ended; until then reject. A closed
//     connection ends only when its data has been read, so what the peer
//     sent before it closed is never thrown away: it redials on a later
//     beacon, after the user has read to io.EOF (or the sweep saw the end).
//   - OneToOne, dialing another peer: reject (busy). A OneToOne connector
//     dials one peer at a time and lets no other pairing in meanwhile, so
//     it never ends discovery on one connection while the other side of a
//     second one has already handed that one out: no dead pairing.
func (c *BroadcastConnector) decideIncomingLocked(r *record, conn net.Conn, remote netip.AddrPort) byte {
	if !c.discoveryOn {
		return rejectStopping
	}
	if c.join != 0 {
		return rejectJoining
	}
	if c.cfg.Secured && !c.helloAllowedLocked(remote.Addr(), time.Now()) {
		return rejectRate
	}
	key := peerKey{id: r.id}
	e := c.peers[key]
	if c.cfg.OneToOne && c.dialsInFlight > 0 && (e == nil || !e.dialing) {
		return rejectBusy
	}
	if e == nil {
		if e = c.newEntryLocked(key, remote.Addr(), time.Now()); e == nil {
			return rejectFull
		}
	}
	// A joiner refuses our dial (it accepts nothing), so its own wins.
	accept := !e.dialing || r.id < c.id || r.np != 0
	if e.conn != nil {
		accept = connGone(e.conn.Conn) != nil
	}
	if !accept {
		return rejectDuplicate
	}
	if !c.roomForConnLocked(e) {
		c.forgetUnheardLocked(e)
		return rejectFull
	}
	if err := writeAll(conn, acceptFrame(&c.self)); err != nil {
		c.log.Debug("connector: accept frame not sent", "remote", remote, "err", err)
		conn.Close()
		return 0 // nothing to answer on a broken connection
	}
	_ = conn.SetDeadline(time.Time{})
	c.registerLocked(e, conn, r, false, netip.AddrPortFrom(remote.Addr(), r.port))
	return 0
}

// interruptConn makes conn's pending reads and writes fail when ctx ends.
// The returned function undoes it, waits for an interruption in progress,
// and reports whether ctx ended (the connection is then unusable).
func interruptConn(ctx context.Context, conn net.Conn) (stop func() bool) {
	fired := make(chan struct{})
	stopFunc := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	return func() bool {
		if stopFunc() {
			return false
		}
		<-fired
		return true
	}
}
