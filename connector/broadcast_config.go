package connector

import (
	"fmt"
	"log/slog"
	"os"
	"time"
	"unicode/utf8"
)

// Defaults of BroadcastConfig.
const (
	// DefaultAppID is BroadcastConfig.AppID when the field is empty.
	DefaultAppID = "cablecar"
	// DefaultNativeUDPPort is the native beacon port. It differs from
	// cable_car's 8222 so that Python peers, which take any datagram on
	// their port for a beacon, are not disturbed by native beacons.
	DefaultNativeUDPPort = 8224
	// DefaultCompatUDPPort and DefaultCompatTCPPort are cable_car 1.0.1's
	// ports.
	DefaultCompatUDPPort = 8222
	DefaultCompatTCPPort = 8223
	// DefaultInterval is the beacon interval (cable_car's broadcast_interval).
	DefaultInterval = time.Second
	// DefaultConnTimeout bounds a TCP connect plus the identify exchange
	// (cable_car's connect timeout).
	DefaultConnTimeout = 2 * time.Second
	// DefaultInterfaceRefresh is how often the interface list is read again.
	DefaultInterfaceRefresh = 5 * time.Second
	// MaxPeers bounds the peer table (heard and connected peers); when it
	// is full, unproven entries make room, and beacons of further peers are
	// dropped and counted (see the package documentation, "Limits").
	MaxPeers = 1024
	// DefaultMaxConns is BroadcastConfig.MaxConns when the field is zero.
	DefaultMaxConns = 128
)

// BroadcastConfig configures a BroadcastConnector. The zero value works:
// native mode, application "cablecar", beacons every second on every up
// broadcast-capable interface. NewBroadcastConnector copies it; changing it
// afterwards has no effect.
type BroadcastConfig struct {
	// AppID keeps applications apart: peers with another AppID are ignored.
	// 1..MaxAppIDLen bytes; empty means DefaultAppID ("cablecar"). Not used
	// in compat mode.
	AppID string

	// Name is the display name sent in beacons, 0..MaxNameLen bytes of
	// UTF-8. Empty means the host name (truncated to MaxNameLen). Not used
	// in compat mode.
	Name string

	// Metadata is sent in every beacon (0..MaxMetadataLen bytes) and shows
	// up in Peer.Metadata on the other side. Not used in compat mode.
	Metadata []byte

	// Compat selects cable_car 1.0.1's discovery exactly: the 9-byte
	// "BROADCAST" datagram, fixed ports, no identify exchange, peers keyed
	// by IP. Go and Python peers then find each other. See the package
	// documentation for what compat mode cannot do.
	Compat bool

	// UDPPort is the beacon port, shared by every instance on the host.
	// Zero means DefaultNativeUDPPort (8224), or DefaultCompatUDPPort (8222)
	// in compat mode.
	UDPPort int

	// TCPPort is the port connections are accepted on. Zero means an
	// ephemeral port in native mode (announced in the beacon, so many
	// instances run on one host), or DefaultCompatTCPPort (8223) in compat
	// mode (where both sides must agree on it in advance).
	TCPPort int

	// Interval is the time between two beacons. Zero means DefaultInterval
	// (1 s). A new peer is answered at once with an extra beacon, so
	// finding each other takes far less than one interval.
	Interval time.Duration

	// PeerTimeout is how long a connected peer may stay silent (no beacon,
	// no answer to TCP keepalive probes) before it is dropped with
	// ErrPeerTimeout; a connected peer never heard in a beacon is dropped
	// so PeerTimeout after it connected (native mode, while discovery
	// runs). Zero means 4 × Interval, but at least 1 s (4 s with the
	// default interval). It must be more than Interval.
	PeerTimeout time.Duration

	// ConnTimeout bounds one TCP connect plus the identify exchange. Zero
	// means DefaultConnTimeout (2 s).
	ConnTimeout time.Duration

	// Timeout ends discovery (beaconing, listening, accepting) this long
	// after Start; connections made stay until Stop. Zero means discovery
	// runs until Stop.
	Timeout time.Duration

	// OneToOne ends discovery as soon as the first peer is connected; that
	// one connection stays.
	OneToOne bool

	// Loopback confines everything to this machine: beacons go to
	// 127.255.255.255 only, connections are accepted on 127.0.0.1 only, and
	// only loopback peers are heard or dialed. Tests and the -lo flags of
	// the programs use it.
	Loopback bool

	// Interfaces restricts beacons, and the peers that are heard or
	// accepted, to the named interfaces (e.g. "eth0"). Empty means every up,
	// broadcast-capable interface. Ignored with Loopback.
	Interfaces []string

	// Discovery adds a way of finding peers beside broadcast beacons, such
	// as mDNS/DNS-SD with mdns.New() of package
	// github.com/cablecar-go/cablecar/connector/mdns; a peer found both ways
	// is one peer (keyed by its id). Nil means broadcast beacons only. Not
	// with Compat.
	Discovery Discoverer

	// DiscoveryOnly uses Discovery instead of broadcast beacons (none are
	// sent or listened for), for networks that filter broadcast but not
	// multicast. False (the default) means both. Requires Discovery.
	DiscoveryOnly bool

	// InterfaceRefresh is how often interfaces and their addresses are read
	// again, so a new interface or address is picked up. On Linux they are
	// also read again (and a beacon sent) as soon as the kernel reports a
	// link or IPv4 address change (rtnetlink), so a returning link is used
	// within milliseconds; the poll is the fallback. Zero means
	// DefaultInterfaceRefresh (5 s).
	InterfaceRefresh time.Duration

	// MaxConns bounds the peers connected at once (each costs a socket and
	// whatever the application keeps per peer, such as a Messenger's
	// buffers). Beyond it, new connections are refused in the identify
	// exchange and no dial is started, except that a peer heard in a beacon
	// may evict a connection whose peer never beaconed. Zero means
	// DefaultMaxConns (128); at most MaxPeers.
	MaxConns int

	// Nameplate is the join-code nameplate this peer offers (1..
	// MaxNameplate; see package joincode): it travels in every beacon and
	// mDNS TXT record (the nameplate only, never a word of the code), and
	// peers whose BroadcastConfig.Join is this nameplate dial this one. 0
	// (the default) offers none. Not with Compat or Join.
	Nameplate int

	// Join makes this connector a joiner of the peer that offers this
	// nameplate: it dials only peers whose beacons carry it (at once,
	// whatever the ids), says so in its identify hello (Peer.Nameplate on
	// the other side), and accepts no connection, until SetJoin(0). 0 (the
	// default) means no join. Not with Compat or Nameplate.
	Join int

	// Secured says the application authenticates every connection itself
	// (a PAKE with a code or password: package room's Password, Invite and
	// Code), so beacons are only hints (see the package documentation,
	// "Secured"): a goodbye beacon or silence of beacons never drops a
	// connection, a connection to a peer id that is connected already
	// never replaces the first one, OneToOne ends discovery at Paired
	// rather than at the first connection, and incoming hellos are
	// rate-limited per source address. Liveness is the application's (the
	// Messenger's pings). Default false. Not with Compat.
	Secured bool

	// OnConnect is called for each new peer connection; see Peer. Callbacks
	// (OnConnect and OnDisconnect) run on one goroutine owned by the
	// connector, one at a time, in order, never with a lock held: a peer's
	// OnDisconnect always follows its OnConnect. They should return quickly
	// (start a goroutine for long work). They may call Stop (see there).
	// Nil means no callback.
	OnConnect func(Peer)

	// OnDisconnect is called when a peer reported by OnConnect is dropped,
	// with the reason: io.EOF (the peer closed the connection),
	// net.ErrClosed (the user closed Peer.Conn), ErrPeerLeft (goodbye
	// beacon; with data still unread, once it has been read or PeerTimeout
	// has passed), ErrPeerTimeout, ErrReplaced, ErrEvicted (see MaxConns),
	// ErrStopped (Stop), or the connection's error. Peer.Conn is closed by
	// then; after a clean leave (the peer closed, then said goodbye) its
	// Reads end in io.EOF while the reason is ErrPeerLeft. Nil means no
	// callback.
	OnDisconnect func(Peer, error)

	// OnNameplate is called when a peer's beacon offers a nameplate its
	// previous beacon did not (a peer newly heard offering one, or one that
	// changed it; see SetNameplate), with the peer's id and the nameplate.
	// It runs on the callback goroutine, in order with OnConnect and
	// OnDisconnect, never with a lock held. A beacon is a hint: anyone can
	// send one with any id and nameplate. Package room uses it to settle
	// two hosts on one nameplate; NameplatePeers says who offers one now.
	// Nil means no callback.
	OnNameplate func(peer PeerID, nameplate int)

	// Logger receives debug records of discovery (peers heard, dials,
	// rejects) and warnings (socket errors). Nil means silent.
	Logger *slog.Logger
}

// withDefaults returns a copy of cfg with defaults filled in, or an error
// wrapping ErrInvalidConfig.
func (cfg *BroadcastConfig) withDefaults() (BroadcastConfig, error) {
	var c BroadcastConfig
	if cfg != nil {
		c = *cfg
	}
	bad := func(format string, args ...any) (BroadcastConfig, error) {
		return BroadcastConfig{}, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if c.AppID == "" {
		c.AppID = DefaultAppID
	}
	if len(c.AppID) > MaxAppIDLen {
		return bad("AppID is %d bytes, the limit is %d", len(c.AppID), MaxAppIDLen)
	}
	if c.Name == "" {
		h, _ := os.Hostname()
		c.Name = truncateUTF8(h, MaxNameLen)
	}
	if len(c.Name) > MaxNameLen || !utf8.ValidString(c.Name) {
		return bad("Name must be UTF-8 of at most %d bytes", MaxNameLen)
	}
	if len(c.Metadata) > MaxMetadataLen {
		return bad("Metadata is %d bytes, the limit is %d", len(c.Metadata), MaxMetadataLen)
	}
	c.Metadata = append([]byte(nil), c.Metadata...)
	if c.UDPPort < 0 || c.UDPPort > 65535 {
		return bad("UDPPort %d", c.UDPPort)
	}
	if c.TCPPort < 0 || c.TCPPort > 65535 {
		return bad("TCPPort %d", c.TCPPort)
	}
	if c.UDPPort == 0 {
		c.UDPPort = DefaultNativeUDPPort
		if c.Compat {
			c.UDPPort = DefaultCompatUDPPort
		}
	}
	if c.TCPPort == 0 && c.Compat {
		c.TCPPort = DefaultCompatTCPPort
	}
	if c.Interval < 0 || c.PeerTimeout < 0 || c.ConnTimeout < 0 || c.Timeout < 0 || c.InterfaceRefresh < 0 {
		return bad("durations must not be negative")
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Interval < time.Millisecond {
		return bad("Interval %v is below 1ms", c.Interval)
	}
	if c.PeerTimeout == 0 {
		c.PeerTimeout = max(4*c.Interval, time.Second)
	}
	if c.PeerTimeout <= c.Interval {
		return bad("PeerTimeout %v must be more than Interval %v", c.PeerTimeout, c.Interval)
	}
	if c.ConnTimeout == 0 {
		c.ConnTimeout = DefaultConnTimeout
	}
	if c.InterfaceRefresh == 0 {
		c.InterfaceRefresh = DefaultInterfaceRefresh
	}
	if c.MaxConns < 0 || c.MaxConns > MaxPeers {
		return bad("MaxConns %d is not in 0..%d", c.MaxConns, MaxPeers)
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.Discovery != nil && c.Compat {
		return bad("Discovery cannot be combined with Compat")
	}
	if c.Nameplate < 0 || c.Nameplate > MaxNameplate || c.Join < 0 || c.Join > MaxNameplate {
		return bad("Nameplate %d, Join %d: not in 0..%d", c.Nameplate, c.Join, MaxNameplate)
	}
	if c.Nameplate != 0 && c.Join != 0 {
		return bad("Nameplate and Join cannot both be set")
	}
	if c.Compat && (c.Nameplate != 0 || c.Join != 0 || c.Secured) {
		return bad("Nameplate, Join and Secured cannot be combined with Compat")
	}
	if c.DiscoveryOnly && c.Discovery == nil {
		return bad("DiscoveryOnly without Discovery")
	}
	c.Interfaces = append([]string(nil), c.Interfaces...)
	return c, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
