package messenger

import (
	"errors"
	"fmt"
	"io"
	"net"
)

// Sentinel errors. Errors returned by the Messenger wrap one of them (or a
// *message.DecodeError, or the connection's own error), so callers test
// with errors.Is and errors.As.
var (
	// ErrQueueFull is returned by Send when the message does not fit in the
	// write queue (Options.MaxWriteQueue). Nothing was queued; call Xfer to
	// let bytes drain and try again later.
	ErrQueueFull = errors.New("messenger: write queue full")

	// ErrClosed is returned by Send, Xfer and Recv once Close or Shutdown
	// has been called. It is net.ErrClosed, so errors.Is(err, net.ErrClosed)
	// holds too.
	ErrClosed = net.ErrClosed

	// ErrPeerClosed is reported by Xfer (and then Send) when the peer closed
	// its side of the connection cleanly. It wraps io.EOF.
	ErrPeerClosed = fmt.Errorf("messenger: peer closed the connection: %w", io.EOF)

	// ErrPeerTimeout is reported by Xfer (wrapped, and then by Send) when
	// nothing arrived from the peer for Options.PeerTimeout while this side
	// was pinging it: the peer froze, its game loop stopped calling Xfer,
	// or the network between went silent without a reset. The Messenger
	// has closed the connection. It is distinct from ErrPeerClosed (a clean
	// end) and does not wrap io.EOF.
	ErrPeerTimeout = errors.New("messenger: peer timed out")

	// ErrCompatSecret is returned by New for Options with both Compat and
	// Secret: compat mode (a cable_car 1.0.1 peer) has no hello, no
	// handshake and no records, so it cannot be secure.
	ErrCompatSecret = errors.New("messenger: Options.Compat cannot be combined with Options.Secret: compat mode (cable_car 1.0.1) has no security")

	// ErrCut is reported by Xfer (wrapped) when the stream of a secure
	// Messenger ends without the peer's sealed goodbye (which Shutdown
	// sends): the peer crashed or called Close, or someone on the way cut
	// the connection; what was sent after the last record that arrived is
	// lost. It wraps io.ErrUnexpectedEOF (not io.EOF: it is not a clean
	// end).
	ErrCut = fmt.Errorf("messenger: secure stream ended without the peer's goodbye (closed at once, crashed, or cut on the way): %w", io.ErrUnexpectedEOF)

	// ErrBadHello: the peer's hello is not acceptable (see HelloError). Both
	// ends of a mismatched pair fail with it at once.
	ErrBadHello = errors.New("messenger: bad hello")
)

// HelloError describes why the peer's hello was refused. It unwraps to
// ErrBadHello.
type HelloError struct {
	// Field is what did not match: "magic" (the peer does not speak this
	// protocol: a cable_car 1.0.1 peer, or another program), "version",
	// "codec", "app id" or "length" (malformed hello).
	Field  string
	Local  string // this side's value
	Remote string // the peer's value
}

func (e *HelloError) Error() string {
	switch e.Field {
	case "magic":
		return fmt.Sprintf("messenger: bad hello: peer sent %s, not the hello magic %s (is it a compat (cable_car 1.0.1) peer or another protocol?)", e.Remote, e.Local)
	case "length":
		return fmt.Sprintf("messenger: bad hello: malformed: %s", e.Remote)
	case "version":
		plain, sealed := fmt.Sprint(ProtocolVersion), fmt.Sprint(SecureProtocolVersion)
		if (e.Local == plain && e.Remote == sealed) || (e.Local == sealed && e.Remote == plain) {
			return fmt.Sprintf("messenger: bad hello: version mismatch: this side %q, peer %q (version %d is a Messenger with Options.Secret: one side has a code or password and the other has none)", e.Local, e.Remote, SecureProtocolVersion)
		}
	}
	return fmt.Sprintf("messenger: bad hello: %s mismatch: this side %q, peer %q", e.Field, e.Local, e.Remote)
}

// Unwrap returns ErrBadHello.
func (e *HelloError) Unwrap() error { return ErrBadHello }

// GuessError is the error of New when a secure handshake failed after it
// had given the peer its one guess at the secret (secure.Handshake's
// Attempted): the peer checked, or could check offline, one guessed code
// against this side's. A host that allows one guess per join code retires
// the code on it, whatever the cause (ErrWrongCode, or a connection lost
// right after the guess). A handshake that failed earlier (a malformed
// message, an invalid point, a timeout before the confirmation) gave no
// guess and is not a GuessError. It unwraps to the cause, so
// errors.Is(err, secure.ErrWrongCode) holds for a wrong code.
type GuessError struct {
	Err error
}

func (e *GuessError) Error() string { return e.Err.Error() + " (the peer had its guess at the code)" }

// Unwrap returns the cause.
func (e *GuessError) Unwrap() error { return e.Err }
