package room

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// Defaults of Config.
const (
	// DefaultHelloTimeout is Config.HelloTimeout when the field is zero.
	DefaultHelloTimeout = 2 * time.Second
	// MaxGroupName is the longest group name, in bytes.
	MaxGroupName = 64
	// MaxGroups bounds the groups one peer may announce, and the work
	// queues it may ask for items of: a peer that goes past it is dropped
	// with ErrPeerProtocol, so that no peer can grow a room's tables
	// without bound.
	MaxGroups = 256
	// DefaultMaxWork is Config.MaxWork when the field is zero.
	DefaultMaxWork = 4096
	// MaxNotify is the largest n of one Notify, and the most items a
	// producer keeps asked for by one peer for one queue.
	MaxNotify = 1 << 20
)

// Config configures a Room. The zero value works: LAN discovery with
// broadcast beacons for application "cablecar", the byte codec with its
// built-in messages. New copies it; changing it afterwards has no effect.
//
// The Room finds its peers in one of two ways: with neither Listen nor
// Dial set, a connector.BroadcastConnector (the discovery fields below are
// passed to it); with either set, known addresses (a connector.DirectServer
// on Listen, a connector.DirectClient for each of Dial) and no discovery.
type Config struct {
	// AppID names the application, both in discovery and in the hello of
	// every peer's Messenger: peers with another AppID are ignored or
	// refused. Empty means connector.DefaultAppID ("cablecar").
	AppID string

	// Codec carries the messages; every peer must use a codec of the same
	// name. New registers the room's own control messages with it (see the
	// package documentation, "Wire"), unless they are registered already
	// (a codec shared by several Rooms). Register your types first. Nil
	// means message.NewByteCodec(nil).
	Codec message.Codec

	// Name is the display name in beacons. Empty means the host name.
	Name string

	// Loopback confines discovery to this machine (see
	// connector.BroadcastConfig.Loopback). Default false.
	Loopback bool

	// UDPPort, TCPPort and MaxConns are passed to the BroadcastConnector;
	// zero means its defaults (beacon port 8224, an ephemeral TCP port,
	// 128). MaxConns also bounds a Listen server's connections. UDPPort
	// and TCPPort are unused with Listen or Dial.
	UDPPort  int
	TCPPort  int
	MaxConns int

	// OneToOne ends discovery as soon as the first peer is connected
	// (connector.BroadcastConfig.OneToOne): a room of two, such as a
	// two-player game, whose pairing never hands one peer to two others.
	// Default false. Unused with Listen or Dial.
	OneToOne bool

	// Discovery adds a way of finding peers beside broadcast beacons, such
	// as mdns.New() of package github.com/cablecar-go/cablecar/connector/mdns
	// (see connector.BroadcastConfig.Discovery). Nil means broadcast beacons
	// only. Unused with Listen or Dial.
	Discovery connector.Discoverer

	// Interval is the time between two beacons of the BroadcastConnector
	// and between two pings of each peer's Messenger
	// (messenger.Options.PingInterval: an 11-byte ping and a 27-byte pong
	// each way, 38 bytes per second each way at 1 s). Zero means
	// connector.DefaultInterval (1 s).
	Interval time.Duration

	// PeerTimeout: a peer from which nothing has come (no message, no
	// ping, no pong) for PeerTimeout leaves with ErrPeerTimeout, with known
	// addresses as with discovery (where the connector's beacons and TCP
	// keepalive, which use the same value, may notice first). It is each
	// peer's messenger.Options.PeerTimeout, checked once per Interval;
	// bytes received and not yet read count as heard, and time in which
	// the game did not call Xfer for more than an Interval is not counted
	// against the peers. Zero
	// means 4 × Interval, but at least 1 s. It must be more than Interval.
	PeerTimeout time.Duration

	// Listen is the address ("host:port", port 0 for a free one: see
	// Room.Addr) a DirectServer accepts peers on. Empty means no listener.
	Listen string

	// Dial lists the addresses of peers to connect to. Each is dialed once
	// at New, retrying a refused connection for DialTimeout. Empty means
	// none.
	Dial []string

	// DialTimeout bounds the dial of each Dial address, retries included.
	// Zero means connector.DefaultDialTimeout (10 s).
	DialTimeout time.Duration

	// HelloTimeout bounds the hello of each new connection; a peer that
	// has not completed it by then is dropped (a Rejected event). Zero
	// means DefaultHelloTimeout (2 s).
	HelloTimeout time.Duration

	// MaxWriteQueue and MaxReadBuffer bound the buffers of each peer's
	// Messenger (see messenger.Options); zero means its defaults (256 KiB
	// each).
	MaxWriteQueue int
	MaxReadBuffer int

	// MaxWork bounds the items each of this room's work queues holds
	// (produced, not yet sent to a consumer, in flight to one included):
	// Produce returns ErrWorkFull beyond it. Zero means DefaultMaxWork
	// (4096).
	MaxWork int

	// Compat talks to peers of the Python cable_car 1.0.1: its discovery,
	// Messengers without a hello, no control messages of the room, no
	// silence timeout; groups and work queues are refused (ErrCompat). See
	// the package documentation, "Compat mode". Not with Discovery.
	// Default false.
	Compat bool

	// Password turns on password mode (as tlspyo's shared password):
	// every connection of the room runs a CPace handshake keyed by it
	// (messenger.Options.Secret) and then travels in sealed records; a peer
	// without it, or with another, never gets in (a Rejected event whose
	// Reason wraps ErrHello and ErrWrongCode, or messenger.ErrBadHello for
	// a peer with no secret at all). At most MaxPassword bytes. With
	// discovery or with Listen and Dial. Empty (the default) means none.
	// See the package documentation, "Security".
	Password string

	// Invite makes this room the host of a join code: it picks the lowest
	// nameplate not offered in the beacons it hears for its AppID during
	// its first 1.5 Intervals (New waits for them), offers only that
	// nameplate, and admits one peer per code that proves it; each code
	// admits one peer, allows one guess, and expires after CodeExpiry. Two
	// hosts that still end up on one nameplate settle it: the one with the
	// higher peer id moves (an Invited event with ErrNameplateTaken). The
	// codes come as Invited events (and Code). Needs discovery (not Listen
	// or Dial). Default false.
	Invite bool

	// Code makes this room a joiner: the code the user typed
	// ("7-guitarist-revenge", parsed with joincode.Parse: New fails with
	// an error wrapping joincode.ErrBadCode that names the bad word). The
	// room dials only the host offering the code's nameplate, proves the
	// code, and then joins the host's room (see "Security"). A wrong code
	// is a Rejected event wrapping ErrWrongCode; no host within
	// JoinTimeout, one wrapping ErrNoHost; the room then stops looking.
	// Needs discovery. Empty (the default) means none.
	Code string

	// CodeWords is the number of words of the codes Invite makes (2 to
	// 4). Zero means joincode.DefaultWords (2: 16 bits, a 1 in 65536
	// chance per guess, and one guess per code).
	CodeWords int

	// CodeExpiry is how long an Invite code lives before the host retires
	// it and makes a new one (an Invited event with ErrCodeExpired). Zero
	// means DefaultCodeExpiry (10 min).
	CodeExpiry time.Duration

	// InviteCode, with Invite, is the room's first code instead of a new
	// one: a host that restarts offers again the code it showed before
	// (examples/share's saved state does), so a joiner who has it still
	// gets in. New fails with an error wrapping ErrNameplateTaken when
	// another host offers its nameplate (heard while New listens; one
	// heard later settles as for any code, see Invite). The codes after it are new ones,
	// as always. The zero Code (the default) means a new first code.
	InviteCode joincode.Code

	// JoinTimeout is how long a joiner (Code) waits for a host offering
	// the code's nameplate. Zero means DefaultJoinTimeout (30 s).
	JoinTimeout time.Duration

	// Logger receives debug records (peers joined and left, hellos
	// refused). Nil means silent. A join code in a record shows its
	// nameplate only.
	Logger *slog.Logger

	// Transports are the ways the Room finds peers (see Transport): empty
	// (the default) means LAN only, the Room's own discovery or Listen and
	// Dial; otherwise only those listed, with room.LAN among them for both.
	// A peer reached two ways is one peer: the connection whose hello
	// completes first is kept, a later one is refused (a Rejected event).
	Transports []Transport

	// noListen (tests in this package): an inviting host takes its
	// nameplate at once, as if it heard no other host, as two hosts
	// started in the same moment do.
	noListen bool
}

func (cfg *Config) withDefaults() (Config, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.AppID == "" {
		c.AppID = connector.DefaultAppID
	}
	if len(c.AppID) > connector.MaxAppIDLen {
		return c, fmt.Errorf("%w: AppID is %d bytes, the limit is %d", ErrInvalidConfig, len(c.AppID), connector.MaxAppIDLen)
	}
	if c.Codec == nil {
		c.Codec = message.NewByteCodec(nil)
	}
	if c.HelloTimeout < 0 {
		return c, fmt.Errorf("%w: HelloTimeout %v", ErrInvalidConfig, c.HelloTimeout)
	}
	if c.HelloTimeout == 0 {
		c.HelloTimeout = DefaultHelloTimeout
	}
	if c.Interval < 0 || c.PeerTimeout < 0 {
		return c, fmt.Errorf("%w: Interval %v, PeerTimeout %v", ErrInvalidConfig, c.Interval, c.PeerTimeout)
	}
	if c.Interval == 0 {
		c.Interval = connector.DefaultInterval
	}
	if c.PeerTimeout == 0 {
		c.PeerTimeout = max(4*c.Interval, time.Second)
	}
	if c.PeerTimeout <= c.Interval {
		return c, fmt.Errorf("%w: PeerTimeout %v must be more than Interval %v", ErrInvalidConfig, c.PeerTimeout, c.Interval)
	}
	if c.MaxWork < 0 {
		return c, fmt.Errorf("%w: MaxWork %d", ErrInvalidConfig, c.MaxWork)
	}
	if c.MaxWork == 0 {
		c.MaxWork = DefaultMaxWork
	}
	if c.Compat && c.Discovery != nil {
		return c, fmt.Errorf("%w: Discovery cannot be combined with Compat (cable_car has broadcast beacons only)", ErrInvalidConfig)
	}
	if c.Compat && (c.Password != "" || c.Invite || c.Code != "") {
		return c, fmt.Errorf("%w: %w (cable_car has no security)", ErrInvalidConfig, messenger.ErrCompatSecret)
	}
	c.Dial = append([]string(nil), c.Dial...)
	c.Transports = append([]Transport(nil), c.Transports...)
	if err := c.secureDefaults(); err != nil {
		return c, err
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func (c *Config) direct() bool { return c.Listen != "" || len(c.Dial) > 0 }
