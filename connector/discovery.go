package connector

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/cablecar-go/cablecar/internal/ifwatch"
)

// A Discoverer is a way of finding peers beside broadcast beacons, plugged
// into a BroadcastConnector through BroadcastConfig.Discovery. Package
// github.com/cablecar-go/cablecar/connector/mdns provides one (mDNS/DNS-SD);
// it lives there so that a program that does not import it does not link
// mDNS and DNS code either.
type Discoverer interface {
	// StartDiscovery starts announcing self and looking for peers, and
	// returns at once (Start fails with its error). It calls found, from
	// any goroutine, possibly concurrently, for each peer it hears, until
	// Close returns; never before StartDiscovery has returned.
	StartDiscovery(self Announcement, found func(Sighting)) (DiscoverySession, error)
}

// A DiscoverySession is a running Discoverer.
type DiscoverySession interface {
	// Quiet is called once when discovery ends before Stop (Timeout,
	// OneToOne): the session stops looking for peers but goes on announcing
	// this peer, marked quiet (Announcement.Quiet semantics), so that
	// connected peers do not expire it.
	Quiet()
	// Close is called once, by Stop: the session tells the network this
	// peer has gone where its protocol can, and returns when all its
	// goroutines have ended.
	Close() error
}

// Announcement is what a Discoverer announces, and how it should look.
type Announcement struct {
	ID    PeerID
	AppID string // the application id; Sightings of other applications are dropped
	Name  string
	Port  uint16 // TCP port connections are accepted on
	// Nameplate is BroadcastConfig.Nameplate (0: none), to announce
	// beside the id (the nameplate only: never a word of a join code).
	Nameplate int

	// Interval is how often to look for peers: a peer not sighted within
	// PeerTimeout expires. InterfaceRefresh is how often to read the
	// interfaces again at the latest (Interfaces restricts them, when not
	// empty). Loopback is BroadcastConfig.Loopback.
	Interval         time.Duration
	PeerTimeout      time.Duration
	InterfaceRefresh time.Duration
	Interfaces       []string
	Loopback         bool

	// Logger receives the session's records; never nil.
	Logger *slog.Logger
}

// Sighting is one peer heard by a Discoverer. Addr is where to connect to
// it. Quiet says the peer has ended its discovery: it is neither dialed nor
// expired. A sighting with a zero ID or port, an address other than IPv4,
// an AppID longer than MaxAppIDLen or a Name longer than MaxNameLen counts
// as dropped garbage (BroadcastStats.Dropped); one of another application
// as foreign; a valid one as a beacon heard. The Discoverer keeps to the
// interfaces of Announcement.Interfaces and to the addresses of the
// interface a peer was heard on.
type Sighting struct {
	ID    PeerID
	AppID string
	Name  string
	Addr  netip.AddrPort
	Quiet bool
	// Nameplate is the join-code nameplate the peer offers (0: none);
	// one outside 0..MaxNameplate counts as garbage.
	Nameplate int
}

// startDiscoverer starts cfg.Discovery, if any (Start, with c.mu held).
func (c *BroadcastConnector) startDiscoverer() error {
	if c.cfg.Discovery == nil {
		return nil
	}
	sess, err := c.cfg.Discovery.StartDiscovery(Announcement{
		ID: c.id, AppID: c.cfg.AppID, Name: c.cfg.Name, Port: c.self.port, Nameplate: c.cfg.Nameplate,
		Interval: c.cfg.Interval, PeerTimeout: c.cfg.PeerTimeout, InterfaceRefresh: c.cfg.InterfaceRefresh,
		Interfaces: c.cfg.Interfaces, Loopback: c.cfg.Loopback, Logger: c.log,
	}, c.sighted)
	if err != nil {
		return err
	}
	c.discovery = sess
	return nil
}

// discoveryLoop tells the session when discovery ended before Stop.
func (c *BroadcastConnector) discoveryLoop(ctx context.Context) {
	defer c.discWG.Done()
	<-ctx.Done()
	c.mu.Lock()
	final := c.finalKind
	c.mu.Unlock()
	if final == kindQuiet {
		c.discovery.Quiet()
	}
}

// stopDiscoverer closes the session (Stop).
func (c *BroadcastConnector) stopDiscoverer() {
	if c.discovery != nil {
		if err := c.discovery.Close(); err != nil {
			c.log.Debug("connector: discovery close", "err", err)
		}
	}
}

// sighted handles one Sighting like a beacon.
func (c *BroadcastConnector) sighted(s Sighting) {
	switch {
	case s.ID == 0 || s.Addr.Port() == 0 || !s.Addr.Addr().Is4() && !s.Addr.Addr().Is4In6() ||
		len(s.AppID) > MaxAppIDLen || len(s.Name) > MaxNameLen || s.Nameplate < 0 || s.Nameplate > MaxNameplate:
		c.stats.dropped.Add(1)
		return
	case s.ID == c.id:
		return // ourselves
	case s.AppID != c.cfg.AppID:
		c.stats.droppedForeign.Add(1)
		return
	}
	ip := s.Addr.Addr().Unmap()
	c.stats.beaconsReceived.Add(1)
	r := record{kind: kindBeacon, id: s.ID, port: s.Addr.Port(), app: []byte(s.AppID), name: []byte(s.Name), np: uint16(s.Nameplate)}
	if s.Quiet {
		r.kind = kindQuiet
	}
	c.mu.Lock()
	c.onBeaconLocked(&r, ip)
	c.mu.Unlock()
}

// closeAll closes the sockets of a Start that failed after binding.
func closeAll(udp, send *net.UDPConn, tcp *net.TCPListener) (*net.UDPConn, *net.UDPConn, *net.TCPListener) {
	if udp != nil {
		udp.Close()
	}
	send.Close()
	tcp.Close()
	return nil, nil, nil
}

// watchInterfaces starts the interface watcher (not with Loopback) and
// returns its channel, never ready where there is none (the
// InterfaceRefresh poll alone then notices changes), and the function that
// stops it.
func (c *BroadcastConnector) watchInterfaces() (<-chan struct{}, func()) {
	if c.cfg.Loopback {
		return nil, func() {}
	}
	w, err := ifwatch.New()
	if err != nil {
		c.log.Debug("connector: no interface change notification; polling every InterfaceRefresh", "err", err)
		return nil, func() {}
	}
	return w.C, func() { w.Close() }
}
