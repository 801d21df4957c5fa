package secure

import "errors"

// Sentinel errors. Every error of the package unwraps to one of them
// (errors.Is); most are wrapped with a detail of what failed.
var (
	// ErrWrongCode means key confirmation failed: the other side has a
	// different code or password (or a different view of the session:
	// app id, nameplate, peer ids, versions, or a message changed on the
	// way). Both sides of a failed handshake see it. A join code is used
	// up by a failed attempt, so the message says to get a new one.
	ErrWrongCode = errors.New("secure: wrong code or password: the keys did not match; get a new code from the host (this one is used up) or check the password")

	// ErrBadMessage means a handshake message was malformed: wrong type
	// for the state, wrong length, bad version list.
	ErrBadMessage = errors.New("secure: bad handshake message")

	// ErrInvalidPoint means the peer's CPace share was a low-order point
	// (or the identity), for which the draft mandates an abort.
	ErrInvalidPoint = errors.New("secure: invalid point from peer (low order); handshake aborted")

	// ErrVersion means the two sides have no protocol version in common.
	ErrVersion = errors.New("secure: no common protocol version")

	// ErrState means a Handshake method was called in the wrong state:
	// Start twice, Read after the end, Keys before the end.
	ErrState = errors.New("secure: handshake call out of order")

	// ErrConfig means the Config given to NewHandshake is unusable.
	ErrConfig = errors.New("secure: bad config")

	// ErrTampered means a sealed record failed to open: altered,
	// replayed, reordered, dropped (the next one fails), truncated or
	// with a bad header. It is fatal: the Opener refuses every later
	// record, and the connection must be closed.
	ErrTampered = errors.New("secure: record tampered with (altered, replayed, reordered, dropped or truncated)")

	// ErrRecordTooLarge means a payload larger than MaxRecordPayload was
	// given to Seal.
	ErrRecordTooLarge = errors.New("secure: record payload too large")

	// ErrBufferOverlap means Seal or Open was given an output buffer that
	// overlaps the input other than exactly (see their docs).
	ErrBufferOverlap = errors.New("secure: output buffer overlaps input")

	// ErrExhausted means a Sealer has sealed 2^64-1 records and will not
	// reuse a nonce.
	ErrExhausted = errors.New("secure: record counter exhausted")

	// ErrKeyReused means a second Sealer or Opener was made from the
	// Keys of one handshake. A second Sealer would start its nonce
	// counter at 0 again under the same key, and a second Opener would
	// take a replay of the whole stream; both refuse every record.
	ErrKeyReused = errors.New("secure: a second Sealer or Opener from the same Keys (a nonce would repeat)")
)
