package messenger

import (
	"log/slog"
	"slices"
	"time"
)

// Defaults and bounds of Options.
const (
	// DefaultMaxWriteQueue is the MaxWriteQueue used when the field is 0.
	DefaultMaxWriteQueue = 256 << 10 // 256 KiB
	// DefaultMaxReadBuffer is the MaxReadBuffer used when the field is 0.
	DefaultMaxReadBuffer = 256 << 10 // 256 KiB
	// MinReadBuffer is the smallest MaxReadBuffer: a smaller value is raised
	// to it, so that any byte frame (255 bytes at most) always fits.
	MinReadBuffer = 256
	// initialReadBuffer is the size of the read buffer of a new Messenger;
	// it doubles, up to MaxReadBuffer, while the application lags behind.
	initialReadBuffer = 8 << 10
)

// Options configure a Messenger. The zero value and a nil *Options are valid
// and give the defaults. New works on a copy; it never changes or keeps the
// caller's struct.
type Options struct {
	// Compat turns the hello off: the byte stream is then exactly the one of
	// the Python package cable_car 1.0.1, so a cable_car peer works (with
	// the byte or JSON codec). AppID and PeerID are then unused and Remote
	// returns the zero Hello. Both ends must agree. Default false.
	Compat bool

	// AppID names the application in the hello, at most 255 bytes. Two ends
	// with different AppIDs refuse each other (a *HelloError, Field "app
	// id"). Default "" (which matches only "").
	AppID string

	// PeerID is this side's id in the hello, for the peer to see in Remote.
	// 0 (the default) picks a random non-zero id.
	PeerID uint64

	// MaxWriteQueue bounds the bytes that Send may queue and that are not
	// yet written to the connection, in-flight bytes included. Send returns
	// ErrQueueFull rather than go past it. 0 or less means
	// DefaultMaxWriteQueue (256 KiB).
	MaxWriteQueue int

	// MaxReadBuffer bounds the bytes received and not yet returned by Get.
	// The buffer starts at 8 KiB and doubles up to this limit while the
	// application lags, once a message has arrived from the peer (before,
	// only for a frame larger than the buffer; see the package
	// documentation); when it is full, reading stops (the peer's writes
	// then block or fail with ErrQueueFull on its side) until Get frees
	// room. A single frame larger than this is a fatal error (a
	// *message.DecodeError wrapping message.ErrTooLarge). 0 or less means
	// DefaultMaxReadBuffer (256 KiB); values under MinReadBuffer (256) are
	// raised to it.
	MaxReadBuffer int

	// Secret turns on security: after the hello, New runs a CPace
	// handshake (package secure) keyed by it, and every byte after that
	// travels in sealed records (see "Security" in the package
	// documentation). Give a join code's words (joincode.Code.Secret) or a
	// shared password; both sides must have the same, or New fails on both
	// with an error wrapping secure.ErrWrongCode. The handshake also binds
	// AppID, Nameplate, both peer ids and both hellos. A Messenger with a
	// Secret and one without refuse each other at the hello (a
	// *HelloError, Field "version"). Not allowed with Compat
	// (ErrCompatSecret). Default nil: no security.
	Secret []byte

	// Nameplate is the join code's public number (joincode.Code.Nameplate),
	// bound into the handshake's keys; 0 (the default) in password mode.
	// Unused without Secret.
	Nameplate int

	// PingInterval is how often a native-mode Messenger pings its peer
	// (see "Pings and figures" in the package documentation): a ping is
	// 11 bytes (14 with msgpack) and its pong 27 (30): 38 bytes per
	// second each way with the default, more with a Secret when a ping
	// travels in a record of its own. The pongs give the round-trip figures of Stats; silence gives
	// ErrPeerTimeout. 0 means DefaultPingInterval (1 s); a negative value
	// turns pings and PeerTimeout off (pings from the peer are still
	// answered). Unused in Compat mode, and for codecs other than the
	// built-in "byte", "json" and "msgpack", which have no pings.
	PingInterval time.Duration

	// PeerTimeout is how long the peer may send nothing at all (no
	// message, no pong) before Xfer reports a final error wrapping
	// ErrPeerTimeout. It is checked once per PingInterval, so the error
	// comes between PeerTimeout and PeerTimeout + PingInterval after the
	// last byte. Time in which the application did not call Xfer (or
	// Recv) for more than a PingInterval (a loading screen, a debugger) is
	// not counted against the peer: what the peer sent meanwhile has not
	// been read yet. 0 means 3 × PingInterval + 2 s (5 s with the default
	// interval); a negative value turns the check off. Unused without
	// pings (see PingInterval).
	PeerTimeout time.Duration

	// Logger receives debug and warning records (hello done, frames
	// skipped, connection lost). nil (the default) is silent.
	Logger *slog.Logger
}

// withDefaults returns a copy of opts (which may be nil) with every default
// filled in.
func (opts *Options) withDefaults() Options {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxWriteQueue <= 0 {
		o.MaxWriteQueue = DefaultMaxWriteQueue
	}
	if o.MaxReadBuffer <= 0 {
		o.MaxReadBuffer = DefaultMaxReadBuffer
	}
	if o.MaxReadBuffer < MinReadBuffer {
		o.MaxReadBuffer = MinReadBuffer
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PeerTimeout == 0 && o.PingInterval > 0 {
		o.PeerTimeout = 3*o.PingInterval + 2*time.Second
	}
	o.Secret = slices.Clone(o.Secret)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
