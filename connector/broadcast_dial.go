package connector

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// startDialLocked dials e on a goroutine of its own, unless cap(dialSem)
// dials are in flight already (the next beacon will try again). With
// OneToOne it dials one peer at a time (see decideIncomingLocked).
func (c *BroadcastConnector) startDialLocked(e *peerEntry) {
	if c.cfg.Loopback && !e.addr.Addr().IsLoopback() {
		return // never leave the machine
	}
	if c.cfg.OneToOne && c.dialsInFlight > 0 {
		return
	}
	if c.nconns >= c.cfg.MaxConns && !c.roomForConnLocked(e) {
		return
	}
	select {
	case c.dialSem <- struct{}{}:
	default:
		return
	}
	if !c.dialAllowedLocked(e.addr, time.Now()) {
		<-c.dialSem
		return
	}
	e.dialing = true
	c.dialsInFlight++
	c.stats.dials.Add(1)
	c.discWG.Add(1)
	go c.dial(e.key, e.addr)
}

// dial connects to a heard peer, runs the identify exchange (native) and
// registers the connection.
func (c *BroadcastConnector) dial(key peerKey, addr netip.AddrPort) {
	defer c.discWG.Done()
	defer func() { <-c.dialSem }()
	if h := c.hooks.beforeDial; h != nil {
		h(key.id)
	}
	conn, r, err := c.dialAndIdentify(key, addr)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.dialsInFlight--
	c.dialDoneLocked(addr)
	e := c.peers[key]
	if e != nil {
		e.dialing = false
	}
	if err != nil {
		c.stats.dialFailures.Add(1)
		c.log.Debug("connector: dial failed", "peer", key, "addr", addr, "err", err)
		return
	}
	// With OneToOne the acceptor has handed this connection out and ended
	// its discovery: keep it unless Stop runs (discovery can only have
	// ended by Timeout meanwhile, as no other pairing was let in).
	keep := c.discoveryOn || (c.cfg.OneToOne && c.state == stateStarted && !c.connectedLocked())
	if !keep || e == nil || !c.roomForConnLocked(e) {
		conn.Close() // discovery ended, the peer said goodbye meanwhile, or MaxConns are connected
		return
	}
	if c.cfg.Compat {
		c.registerCompatLocked(e, conn, addr, true)
		return
	}
	// The acceptor decided; follow it even if we hold another connection
	// (it only accepts when it holds no live connection to us).
	c.registerLocked(e, conn, &r, true, addr)
}

// connectedLocked reports whether any peer is connected.
func (c *BroadcastConnector) connectedLocked() bool {
	for _, e := range c.peers {
		if e.conn != nil {
			return true
		}
	}
	return false
}

// dialAndIdentify connects and, in native mode, runs the identify exchange.
func (c *BroadcastConnector) dialAndIdentify(key peerKey, addr netip.AddrPort) (net.Conn, record, error) {
	d := net.Dialer{Timeout: c.cfg.ConnTimeout, KeepAliveConfig: c.keepAliveConfig()}
	conn, err := d.DialContext(c.discCtx, "tcp4", addr.String())
	if err != nil {
		return nil, record{}, err
	}
	setUserTimeout(conn, c.cfg.PeerTimeout)
	if c.cfg.Compat {
		return conn, record{}, nil // cable_car: no hello
	}
	stop := interruptConn(c.discCtx, conn)
	_ = conn.SetDeadline(time.Now().Add(c.cfg.ConnTimeout))
	r, err := c.identify(conn, key.id)
	if interrupted := stop(); interrupted && err == nil {
		err = c.discCtx.Err()
	}
	if err == nil {
		err = conn.SetDeadline(time.Time{})
	}
	if err != nil {
		conn.Close()
		return nil, record{}, err
	}
	return conn, r, nil
}

// identify sends our hello and reads the acceptor's answer.
func (c *BroadcastConnector) identify(conn net.Conn, target PeerID) (record, error) {
	self := c.self
	c.mu.Lock()
	self.np = c.join
	c.mu.Unlock()
	if err := writeAll(conn, helloFrame(&self, target)); err != nil {
		return record{}, err
	}
	b, err := readFrame(conn)
	if err != nil {
		return record{}, err
	}
	r, err := parseReply(b)
	if err != nil {
		return record{}, err
	}
	if r.id != target || string(r.app) != c.cfg.AppID {
		return record{}, fmt.Errorf("%w: accept from peer %v, dialed %v", ErrBadBeacon, r.id, target)
	}
	return r, nil
}

// keepAliveConfig is the TCP keepalive of peer connections: the kernel's
// heartbeat, invisible to the byte stream, which together with
// TCP_USER_TIMEOUT = PeerTimeout breaks a connection to a vanished peer.
func (c *BroadcastConnector) keepAliveConfig() net.KeepAliveConfig {
	d := max(c.cfg.PeerTimeout/4, time.Second)
	return net.KeepAliveConfig{Enable: true, Idle: d, Interval: d, Count: 3}
}

func (c *BroadcastConnector) setKeepAlive(conn *net.TCPConn) {
	_ = conn.SetKeepAliveConfig(c.keepAliveConfig())
	setUserTimeout(conn, c.cfg.PeerTimeout)
}
