package room

import (
	"context"
	"fmt"
	"net"
	"slices"
	"time"
)

// Transport is a way of reaching peers beside the Room's own (LAN
// discovery, or Config.Listen and Config.Dial): a relay such as package
// github.com/cablecar-go/cablecar/relay, which carries each peer's stream
// through a NATS server. A Transport only yields connections; the Room
// runs on each exactly what it runs on a discovered LAN peer: the hello
// (with its AppID and peer-id checks), the secure handshake and sealed
// records when the Room has a secret, pings and the room's own control
// messages (groups, work queues). See Config.Transports.
type Transport interface {
	// Start begins finding peers. It returns once set up (ctx bounds that
	// only); from then until Close returns, the Transport may call
	// info.Accept, from any goroutine, for each connection to a peer.
	Start(ctx context.Context, info TransportInfo) error

	// Close stops the Transport: it closes what it has not handed to
	// Accept and waits for its goroutines. The Room calls it once, from
	// Close, after which Accept closes what it is given.
	Close() error
}

// TransportInfo is what a Room tells a Transport at Start.
type TransportInfo struct {
	AppID       string        // Config.AppID, default filled in
	Self        PeerID        // the Room's peer id
	Name        string        // Config.Name (may be empty: the Transport picks)
	Interval    time.Duration // Config.Interval, default filled in
	PeerTimeout time.Duration // Config.PeerTimeout, default filled in

	// Accept hands the Room a connection to peer Peer (Name is its
	// display name, in Joined). The Room runs the hello on it in the
	// background and refuses it (a Rejected event) when the hello names
	// another peer id. It never blocks; after the Room's Close it closes
	// the connection.
	Accept func(TransportConn)
}

// TransportConn is one connection a Transport yields: a reliable,
// ordered byte stream to one peer.
type TransportConn struct {
	Conn net.Conn
	Peer PeerID
	Name string
}

// LAN stands for the Room's own way of finding peers (LAN discovery, or
// Listen and Dial) in Config.Transports, for a Room that uses both that
// and another Transport.
var LAN Transport = lanTransport{}

type lanTransport struct{}

func (lanTransport) Start(context.Context, TransportInfo) error { return nil }
func (lanTransport) Close() error                               { return nil }

// lan tells whether the Room runs its own discovery (or Listen and Dial).
func (c *Config) lan() bool { return len(c.Transports) == 0 || slices.Contains(c.Transports, LAN) }

// startTransports starts the Transports of Config.Transports; on an error
// it closes those it started.
func (r *Room) startTransports(ctx context.Context) error {
	info := TransportInfo{
		AppID:       r.cfg.AppID,
		Self:        r.id,
		Name:        r.cfg.Name,
		Interval:    r.cfg.Interval,
		PeerTimeout: r.cfg.PeerTimeout,
	}
	for i, t := range r.cfg.Transports {
		if t == nil {
			r.stopTransports(i)
			return fmt.Errorf("%w: Transports[%d] is nil", ErrInvalidConfig, i)
		}
		o := origin{via: ViaTransport, t: t}
		info.Accept = func(tc TransportConn) { r.startHello(tc.Conn, tc.Peer, tc.Name, r.transportKey(), o) }
		if err := t.Start(ctx, info); err != nil {
			r.stopTransports(i)
			return fmt.Errorf("room: transport %d: %w", i, err)
		}
	}
	return nil
}

// stopTransports closes the first n Transports.
func (r *Room) stopTransports(n int) {
	for _, t := range r.cfg.Transports[:n] {
		_ = t.Close()
	}
}
