package message

import (
	"errors"
	"fmt"

	"github.com/cablecar-go/cablecar/message/internal/sentinel"
)

// Sentinel errors. Every error a codec returns wraps one of them, so callers
// test with errors.Is.
var (
	// ErrUnknownType: the frame names a code, name or id that is not
	// registered with the codec (decode), or the message's type is not
	// registered or cannot be carried by the codec (encode).
	ErrUnknownType = sentinel.ErrUnknownType
	// ErrBadLength: a byte frame's length byte is 0 or 1, or a msgpack
	// frame's length prefix is below 6.
	ErrBadLength = sentinel.ErrBadLength
	// ErrBadPayload: the type's decoder rejected the payload or body, or
	// its encoder the value; also a panic in a type's own code (factory,
	// payload methods, JSON or msgpack hooks) or in a codec, recovered, with
	// a *PanicError as the cause.
	ErrBadPayload = sentinel.ErrBadPayload
	// ErrMalformed: the frame is not well-formed for its codec (bad JSON,
	// wrong JSON shape, invalid UTF-8, bad msgpack framing).
	ErrMalformed = sentinel.ErrMalformed
	// ErrTooLarge: a frame is larger than the codec allows (on decode, as soon
	// as the limit is passed; on encode, before anything is written).
	ErrTooLarge = sentinel.ErrTooLarge
)

// DecodeError describes a frame that could not be decoded.
type DecodeError struct {
	Codec  string // codec name: "byte", "json", "msgpack"
	Type   string // the code ("0x10"), name or id, when known
	Offset int    // offset from the start of the frame where the problem was found
	Skip   int    // length of the bad frame; 0 means the stream cannot go on
	Err    error  // one of the sentinels above, possibly wrapping a cause
}

// Error describes the failure: codec, type, offset, cause, and whether the
// stream is unusable.
func (e *DecodeError) Error() string {
	s := "message: " + e.Codec + " decode"
	if e.Type != "" {
		s += " " + e.Type
	}
	s += fmt.Sprintf(" at offset %d: %v", e.Offset, e.Err)
	if e.Skip == 0 {
		s += " (stream unusable)"
	}
	return s
}

// Unwrap returns Err, so that errors.Is finds the sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

// Recoverable reports whether the stream can go on after skipping the bad
// frame (Skip bytes).
func (e *DecodeError) Recoverable() bool { return e.Skip > 0 }

// ErrNoPayloadMethods: ByteCodec.Register (or RegisterAll with a byte
// codec) was given a type that holds data but has neither AppendPayload nor
// DecodePayload, so its values would travel as an empty payload and arrive
// zeroed. Register panics with an error that wraps it and names the type.
var ErrNoPayloadMethods = errors.New("message: byte type with data but no payload methods")

// ErrUnknownCodec: NewCodec was given a codec name it does not know.
var ErrUnknownCodec = errors.New("message: unknown codec")
