package room

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// Sentinel errors. The Reason of a Left or Rejected event and the errors
// of the Room's methods wrap one of them and the cause, so callers test
// with errors.Is.
var (
	// ErrPeerLeft: the peer left cleanly: its Room said goodbye before it
	// closed (Close), or its connector sent its goodbye beacon.
	ErrPeerLeft = errors.New("room: peer left")

	// ErrPeerTimeout: nothing was heard from the peer for the peer timeout
	// (the connector's PeerTimeout, TCP keepalive) or a read or write timed
	// out.
	ErrPeerTimeout = errors.New("room: peer timed out")

	// ErrPeerReset: the connection ended without a goodbye: a reset, a
	// broken pipe, the connector dropped it, or the end of the stream with
	// no goodbye before it (a process killed with SIGKILL closes its
	// sockets, so its peers read the end of the stream): the peer crashed
	// or the network failed.
	ErrPeerReset = errors.New("room: connection to peer lost")

	// ErrPeerProtocol: the peer sent bytes that cannot be framed (a fatal
	// *message.DecodeError) or a malformed room control message; it was
	// dropped.
	ErrPeerProtocol = errors.New("room: peer broke the protocol")

	// ErrHello: the connection never became a peer: the hello failed (other
	// application, other codec, not a cablecar peer, no answer within
	// Config.HelloTimeout), the peer id did not match the one discovery
	// announced, or the peer is already in the room.
	ErrHello = errors.New("room: hello failed")

	// ErrDial: a Config.Dial address could not be reached.
	ErrDial = errors.New("room: dial failed")

	// ErrUnknownPeer: Send was given a peer that is not (or no longer) in
	// the room.
	ErrUnknownPeer = errors.New("room: unknown peer")

	// ErrGroupName: a group name is empty, longer than MaxGroupName bytes or
	// not valid UTF-8.
	ErrGroupName = errors.New("room: bad group name")

	// ErrWorkFull: Produce found the work queue holding Config.MaxWork
	// items; nothing was queued.
	ErrWorkFull = errors.New("room: work queue full")

	// ErrBadCount: Notify was given n outside 1..MaxNotify.
	ErrBadCount = errors.New("room: bad item count")

	// ErrInvalidConfig: a Config field is out of range; the message names
	// it.
	ErrInvalidConfig = errors.New("room: invalid configuration")

	// ErrClosed is returned once Close has been called. It is net.ErrClosed.
	ErrClosed = net.ErrClosed
)

// classify turns the final error of a peer's Messenger into a Left reason:
// an error wrapping one of ErrPeerLeft, ErrPeerTimeout, ErrPeerReset or
// ErrPeerProtocol, and the cause. bye tells whether the peer said goodbye
// first.
func classify(err error, bye bool) error {
	kind := kindOf(err)
	if bye && kind != ErrPeerProtocol {
		kind = ErrPeerLeft
	}
	return &reasonError{kind: kind, cause: err}
}

func kindOf(err error) error {
	var de *message.DecodeError
	var ne net.Error
	switch {
	case errors.Is(err, connector.ErrPeerLeft):
		return ErrPeerLeft
	case errors.Is(err, connector.ErrPeerTimeout), errors.Is(err, messenger.ErrPeerTimeout), errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return ErrPeerTimeout
	case errors.As(err, &de), errors.Is(err, ErrPeerProtocol):
		return ErrPeerProtocol
	case errors.Is(err, messenger.ErrPeerClosed), errors.Is(err, io.EOF):
		return ErrPeerReset // the end of the stream without a goodbye
	}
	return ErrPeerReset
}

// reasonError is a Left reason: a kind (a sentinel of this package) and
// the cause. It unwraps to both.
type reasonError struct {
	kind  error
	cause error
}

func (e *reasonError) Error() string   { return e.kind.Error() + ": " + e.cause.Error() }
func (e *reasonError) Unwrap() []error { return []error{e.kind, e.cause} }
