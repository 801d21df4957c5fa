package message

import "fmt"

// EncodeError describes a message that could not be encoded. Nothing was
// appended to the caller's buffer.
type EncodeError struct {
	Codec string // codec name: "byte", "json", "msgpack"
	Type  string // the message's Go type, e.g. "*message.MsgIdentify"
	Err   error  // one of the sentinels (ErrUnknownType, ErrBadPayload, ErrTooLarge), possibly wrapping a cause
}

// Error describes the failure: codec, Go type and cause.
func (e *EncodeError) Error() string {
	return "message: " + e.Codec + " encode " + e.Type + ": " + e.Err.Error()
}

// Unwrap returns Err, so that errors.Is finds the sentinel.
func (e *EncodeError) Unwrap() error { return e.Err }

func encodeError(codec string, m Message, err error) error {
	return &EncodeError{Codec: codec, Type: fmt.Sprintf("%T", m), Err: err}
}
