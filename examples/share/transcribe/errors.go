package transcribe

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error of the package wraps one of them, or one of
// package secure's (secure.ErrWrongCode) or room's, so errors.Is finds it.
var (
	// ErrBlobTooLarge means a blob is larger than the limit: this side's
	// own (Offer, Receive) or the peer's announced size (then the peer is
	// told, and fails with ErrRefused). The error is a *SizeError.
	ErrBlobTooLarge = errors.New("transcribe: blob too large")

	// ErrRefused means the peer refused this side's blob (it was larger
	// than the peer's limit) or gave up the exchange.
	ErrRefused = errors.New("transcribe: the peer refused the exchange")

	// ErrBadPart means a protocol message from the peer did not parse.
	ErrBadPart = errors.New("transcribe: bad protocol message")

	// ErrProtocol means the peer's messages came in an order the protocol
	// does not allow (data before the size, a gap, more than announced).
	ErrProtocol = errors.New("transcribe: protocol violation by the peer")

	// ErrPeerLeft means the peer went away before the exchange was done.
	ErrPeerLeft = errors.New("transcribe: the peer left before the exchange was done")

	// ErrTimeout means the exchange did not end within Config.Timeout: no
	// receiver came (initiator), or no initiator with the code's nameplate
	// was found (receiver).
	ErrTimeout = errors.New("transcribe: timed out")

	// ErrCodeExpired means the code's time is over: a saved state past
	// its expiry, or an invitation the room retired for its age.
	ErrCodeExpired = errors.New("transcribe: the code has expired; start a new offer for a new code")

	// ErrBadState means a saved state did not parse or is unusable.
	ErrBadState = errors.New("transcribe: bad saved state")

	// ErrStatePerm means a saved state file can be read by other users;
	// it holds the code, so it must be private (chmod 600).
	ErrStatePerm = errors.New("transcribe: state file is readable by others (it holds the code): chmod 600 it")

	// ErrConfig means a Config field is out of range.
	ErrConfig = errors.New("transcribe: bad config")
)

// SizeError is the error for a blob over the limit. It unwraps to
// ErrBlobTooLarge.
type SizeError struct {
	Size  int  // the blob's size in bytes
	Limit int  // the limit it is over
	Peer  bool // the size was the peer's (announced), not this side's
}

func (e *SizeError) Error() string {
	whose := "blob"
	if e.Peer {
		whose = "the peer's blob"
	}
	return fmt.Sprintf("transcribe: %s is %d bytes, the limit is %d (Config.MaxBlob)", whose, e.Size, e.Limit)
}

// Unwrap returns ErrBlobTooLarge.
func (e *SizeError) Unwrap() error { return ErrBlobTooLarge }
