package replica

import "errors"

// Errors of the wire format and of the replication. Every error this
// package returns wraps one of them (test with errors.Is).
var (
	// ErrMalformed: a frame that cannot be parsed (truncated, trailing
	// bytes, an unknown kind, a length beyond the frame, a varint too long).
	ErrMalformed = errors.New("replica: malformed frame")
	// ErrUnknownField: a delta's mask names a field number inside the
	// type's range that no field has (a gap left by a tag or a removed
	// field).
	ErrUnknownField = errors.New("replica: unknown field number")
	// ErrMaskRange: a delta's mask names a field number beyond the type's
	// last field.
	ErrMaskRange = errors.New("replica: mask beyond the type's fields")
	// ErrWrongType: a value that does not fit its field's type (a bool not
	// 0 or 1, an integer out of the field's range), or a state whose schema
	// (field numbers and types) is not the local type's.
	ErrWrongType = errors.New("replica: wrong value type")
	// ErrGap: a delta whose sequence number is not the next one: deltas
	// were lost; the view asks for a fresh snapshot.
	ErrGap = errors.New("replica: gap in the sequence")
	// ErrUnregistered: a copy of a state whose name the receiver did not
	// register (Allow, AllowAs): refused, nothing is built.
	ErrUnregistered = errors.New("replica: unregistered name")
	// ErrUnsupported: a Go type this package cannot replicate (a pointer,
	// an interface, a channel, a func, a recursive type, too many fields).
	ErrUnsupported = errors.New("replica: unsupported type")
	// ErrClosed: the view or publication was closed.
	ErrClosed = errors.New("replica: closed")
	// ErrNotOwner: a snapshot from a peer that is not the view's owner
	// (ObserveFrom's peer, or the peer that answered Observe first):
	// refused, the view keeps its value.
	ErrNotOwner = errors.New("replica: not the value's owner")
	// ErrName: a name that is empty or longer than MaxName bytes, or
	// published twice.
	ErrName = errors.New("replica: bad name")
)

// ErrStopped is the Reason of a Stopped event for an observer that closed
// its view.
var ErrStopped = errors.New("replica: the observer closed its view")
