package message

import "fmt"

// PanicError is the cause (wrapped in ErrBadPayload) of a decode or encode
// error that a panic produced: a codec recovers a panic in a type's own code
// (a factory, DecodePayload, AppendPayload, UnmarshalJSON, MarshalJSON, a
// msgpack hook) or in its own engine, so that one bad frame from a peer
// skips that frame instead of bringing the program down, and one bad value
// given to AppendFrame fails that call instead of the process. (An
// UncheckedEncoder's AppendFrameUnchecked, which a Messenger's Send uses,
// recovers nothing: see UncheckedEncoder.)
type PanicError struct {
	Op    string // what panicked, e.g. "DecodePayload of *game.Move"
	Value any    // the value given to panic
}

// Error describes the panic.
func (e *PanicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.Op, e.Value) }

// Unwrap returns the panic value when it is an error (a runtime error, such
// as an index out of range, is one), so that errors.As finds it.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// panicked returns the error for a recovered panic: ErrBadPayload wrapping
// a *PanicError.
func panicked(op string, r any) error {
	return fmt.Errorf("%w: %w", ErrBadPayload, &PanicError{Op: op, Value: r})
}
