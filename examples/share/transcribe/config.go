package transcribe

import (
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/joincode"
)

// Defaults of Config, and the limits.
const (
	// DefaultAppID is Config.AppID when the field is empty.
	DefaultAppID = "cablecar-share"
	// DefaultMaxBlob is Config.MaxBlob when the field is zero: 64 KiB.
	DefaultMaxBlob = 64 << 10
	// MaxBlobLimit is the largest Config.MaxBlob: 1 MiB.
	MaxBlobLimit = 1 << 20
	// DefaultOfferTimeout is Config.Timeout of an initiator when the field
	// is zero: how long its code is valid and it waits for a receiver.
	DefaultOfferTimeout = 10 * time.Minute
	// DefaultReceiveTimeout is Config.Timeout of a receiver when the field
	// is zero: how long it looks for the initiator and exchanges.
	DefaultReceiveTimeout = time.Minute
	// DefaultPoll is Config.Poll when the field is zero.
	DefaultPoll = 10 * time.Millisecond
	// DefaultInterval is Config.Interval when the field is zero.
	DefaultInterval = 500 * time.Millisecond

	maxAppID = connector.MaxAppIDLen
)

// Config configures an initiator (Offer, Resume) or a receiver (Receive).
// The zero value works: the LAN, app id "cablecar-share", 64 KiB blobs.
// The functions copy it; nil means the zero value.
//
// The polling schedule: the room is pumped every Poll (its sockets are
// read and written, its events handled) for the whole exchange, and the
// initiator's beacons go out every Interval; a receiver connects within
// about one Interval of its start (or of the initiator's), retrying while
// it hears no initiator with its code's nameplate, until Timeout.
type Config struct {
	// AppID scopes the exchange: only peers with the same AppID meet.
	// Empty means DefaultAppID.
	AppID string

	// Loopback confines discovery to this machine (beacons to
	// 127.255.255.255). Default false: the LAN.
	Loopback bool

	// UDPPort is the beacon port. Zero means the connector's default
	// (8224).
	UDPPort int

	// Interval is the time between two beacons. Zero means
	// DefaultInterval (500 ms).
	Interval time.Duration

	// Poll is the time between two pumps of the room. Zero means
	// DefaultPoll (10 ms).
	Poll time.Duration

	// Timeout bounds the whole exchange. For an initiator it is also the
	// code's life (the code expires then; a resumed initiator keeps the
	// expiry of its saved state). Zero means DefaultOfferTimeout (10 min)
	// for an initiator and DefaultReceiveTimeout (1 min) for a receiver.
	Timeout time.Duration

	// MaxBlob is the largest blob this side sends or accepts, in bytes; a
	// larger one fails with a *SizeError (ErrBlobTooLarge). Zero means
	// DefaultMaxBlob (64 KiB); at most MaxBlobLimit (1 MiB).
	MaxBlob int

	// Words is the number of secret words of an initiator's code, 2 to 4.
	// Zero means joincode.DefaultWords (2).
	Words int
}

func (cfg *Config) withDefaults(timeout time.Duration) (Config, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.AppID == "" {
		c.AppID = DefaultAppID
	}
	if len(c.AppID) > maxAppID {
		return c, fmt.Errorf("%w: AppID of %d bytes, the limit is %d", ErrConfig, len(c.AppID), maxAppID)
	}
	if c.Interval < 0 || c.Poll < 0 || c.Timeout < 0 || c.MaxBlob < 0 || c.MaxBlob > MaxBlobLimit {
		return c, fmt.Errorf("%w: Interval %v, Poll %v, Timeout %v, MaxBlob %d (at most %d)", ErrConfig, c.Interval, c.Poll, c.Timeout, c.MaxBlob, MaxBlobLimit)
	}
	if c.Words != 0 && (c.Words < joincode.MinWords || c.Words > joincode.MaxWords) {
		return c, fmt.Errorf("%w: Words %d, want %d to %d", ErrConfig, c.Words, joincode.MinWords, joincode.MaxWords)
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Poll == 0 {
		c.Poll = DefaultPoll
	}
	if c.Timeout == 0 {
		c.Timeout = timeout
	}
	if c.MaxBlob == 0 {
		c.MaxBlob = DefaultMaxBlob
	}
	return c, nil
}

// checkBlob refuses a blob over the limit.
func (c *Config) checkBlob(b []byte) error {
	if len(b) > c.MaxBlob {
		return &SizeError{Size: len(b), Limit: c.MaxBlob}
	}
	return nil
}
