package connector

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them (or a
// context error, or the network error that caused them) with %w, so callers
// test with errors.Is.
var (
	// ErrTimeout: the connector's own Timeout passed before a connection was
	// made. The error usually also wraps the last dial error.
	ErrTimeout = errors.New("connector: timed out")

	// ErrServerClosed: Accept or Serve was called on, or interrupted by, a
	// closed DirectServer.
	ErrServerClosed = errors.New("connector: server closed")

	// ErrBusy: Accept or Serve was called while another Accept or Serve of
	// the same DirectServer was running.
	ErrBusy = errors.New("connector: accept already in progress")

	// ErrInvalidConfig: a configuration field is out of range. The message
	// names the field.
	ErrInvalidConfig = errors.New("connector: invalid configuration")

	// ErrStopped: the BroadcastConnector has been stopped. It is also the
	// reason given to OnDisconnect for peers dropped by Stop.
	ErrStopped = errors.New("connector: stopped")

	// ErrAlreadyStarted: Start was called twice.
	ErrAlreadyStarted = errors.New("connector: already started")

	// ErrPeerTimeout: a peer was dropped because nothing was heard from it
	// (beacons, TCP keepalive) for PeerTimeout.
	ErrPeerTimeout = errors.New("connector: peer timed out")

	// ErrPeerLeft: a peer was dropped because it announced that it stopped
	// (goodbye beacon).
	ErrPeerLeft = errors.New("connector: peer left")

	// ErrEvicted: a connection whose peer never sent a beacon was dropped
	// to make room in the peer table or under MaxConns for a peer that did
	// (see the package documentation, "Limits").
	ErrEvicted = errors.New("connector: peer evicted")

	// ErrReplaced: a peer's connection was dropped because the identify
	// exchange of a newer connection to the same peer settled on that one
	// (a race of simultaneous dials; the peer has closed its end).
	ErrReplaced = errors.New("connector: connection replaced")

	// ErrBadBeacon: a datagram or identify frame is not a valid native
	// cablecar record (wrong magic, truncated, oversize, bad field).
	ErrBadBeacon = errors.New("connector: bad beacon")

	// ErrUnsupportedVersion: a record has a protocol version this package
	// does not speak.
	ErrUnsupportedVersion = errors.New("connector: unsupported protocol version")

	// ErrRejected: the remote side refused the identify exchange (wrong
	// application, duplicate connection, stopping, ...).
	ErrRejected = errors.New("connector: connection rejected by peer")
)
