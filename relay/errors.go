package relay

import (
	"errors"
	"net"
)

var (
	// ErrConnect: the NATS server could not be reached, or refused the
	// credentials (Start wraps the nats.go error).
	ErrConnect = errors.New("relay: cannot connect to the NATS server")

	// ErrSlowConsumer: the NATS client dropped messages for one of the
	// relay's subscriptions because they came faster than the relay read
	// them (nats.ErrSlowConsumer). Streams recover the dropped frames by
	// retransmission; the event is counted in Stats.SlowConsumer and
	// Stats.Dropped and handed to Config.OnError.
	ErrSlowConsumer = errors.New("relay: slow consumer: NATS dropped messages")

	// ErrPeerGone: the peer's presence expired (nothing heard from it on
	// the presence subject for the peer timeout) or it said goodbye. A
	// Conn's Read and Write return an error wrapping it that is a
	// net.Error with Timeout() true for an expiry, so a Room reports the
	// peer as timed out.
	ErrPeerGone = errors.New("relay: peer gone")

	// ErrStarted: Start was called twice.
	ErrStarted = errors.New("relay: already started")

	// ErrInvalidConfig: a Config field is out of range.
	ErrInvalidConfig = errors.New("relay: invalid configuration")

	// ErrClosed is returned once the Relay or the Conn is closed. It is
	// net.ErrClosed.
	ErrClosed = net.ErrClosed
)

// goneError is a stream's end because its peer went away.
type goneError struct {
	timeout bool
	cause   string
}

func (e *goneError) Error() string   { return ErrPeerGone.Error() + ": " + e.cause }
func (e *goneError) Unwrap() error   { return ErrPeerGone }
func (e *goneError) Timeout() bool   { return e.timeout }
func (e *goneError) Temporary() bool { return false }

var _ net.Error = (*goneError)(nil)
