package relay

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// Defaults of Config.
const (
	// DefaultWindow is Config.Window when the field is zero.
	DefaultWindow = 256 << 10
	// DefaultReconnectWait is Config.ReconnectWait when the field is zero.
	DefaultReconnectWait = 250 * time.Millisecond
	// DefaultRetransmit is Config.Retransmit when the field is zero.
	DefaultRetransmit = 200 * time.Millisecond
	// maxChunk bounds the stream bytes of one NATS message (the server's
	// max_payload bounds it too).
	maxChunk = 64 << 10
)

// Config configures a Relay. The zero value works: the NATS server at
// nats://127.0.0.1:4222, no credentials, the defaults below. New copies
// it.
type Config struct {
	// URL is the NATS server, or a comma-separated list of the servers of
	// a cluster (nats.go connects to one and fails over to the others,
	// and to those the cluster announces). Empty means nats.DefaultURL
	// (nats://127.0.0.1:4222).
	URL string

	// Token authenticates with a server token (nats.Token). Empty means
	// none.
	Token string

	// NKeySeedFile is a file holding an NKey user seed (nats.NkeyOptionFromSeed):
	// the client signs the server's nonce with it. Empty means none.
	NKeySeedFile string

	// TLS, when set, makes the connection to the server TLS with this
	// configuration (nats.Secure): RootCAs for a private CA, Certificates
	// for a client certificate. Nil means plain TCP unless the URL is
	// tls://.
	TLS *tls.Config

	// Options are further nats.go options, applied after the ones the
	// fields above make (user and password, credentials files, ...). The
	// relay sets its own handlers (disconnect, reconnect, errors, closed):
	// options that replace them break Stats and OnError.
	Options []nats.Option

	// Window bounds the stream bytes in flight on one stream (sent, not
	// yet read by the peer's Messenger): Write blocks beyond it, so the
	// reader's buffer never holds more. Zero means DefaultWindow (256 KiB).
	Window int

	// Retransmit is how long a sender waits for an acknowledgement before
	// it sends the unacknowledged frames again. Zero means
	// DefaultRetransmit (200 ms).
	Retransmit time.Duration

	// ReconnectWait is the pause between two attempts to reach a server
	// after the connection was lost (nats.ReconnectWait); attempts never
	// stop until Close. Zero means DefaultReconnectWait (250 ms).
	ReconnectWait time.Duration

	// PendingMsgs and PendingBytes bound what the NATS client buffers for
	// one subscription before it drops messages as a slow consumer
	// (Subscription.SetPendingLimits). Zero means nats.go's defaults
	// (512 Ki messages, 64 MiB).
	PendingMsgs  int
	PendingBytes int

	// OpenDelay delays the stream the relay opens to a newly seen peer.
	// In a room that also runs LAN discovery, a delay of a few beacon
	// intervals lets a peer on the same LAN connect over the LAN first, so
	// that the relay connection is the one refused. Zero (the default)
	// opens at once.
	OpenDelay time.Duration

	// OnError, when set, is called with asynchronous errors: an error
	// wrapping ErrSlowConsumer, and errors the NATS client reports. It is
	// called from the NATS client's goroutines, never concurrently, and
	// must not block. Nil means they are only counted (Stats).
	OnError func(error)

	// Logger receives debug records (peers seen and expired, streams
	// opened and ended, reconnects). Nil means silent.
	Logger *slog.Logger
}

func (cfg *Config) withDefaults() (Config, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.URL == "" {
		c.URL = nats.DefaultURL
	}
	if c.Window < 0 || c.Retransmit < 0 || c.ReconnectWait < 0 || c.PendingMsgs < 0 || c.PendingBytes < 0 || c.OpenDelay < 0 {
		return c, fmt.Errorf("%w: a negative value", ErrInvalidConfig)
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Window < 1024 {
		return c, fmt.Errorf("%w: Window %d is under 1024", ErrInvalidConfig, c.Window)
	}
	if c.Retransmit == 0 {
		c.Retransmit = DefaultRetransmit
	}
	if c.ReconnectWait == 0 {
		c.ReconnectWait = DefaultReconnectWait
	}
	c.Options = append([]nats.Option(nil), c.Options...)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
