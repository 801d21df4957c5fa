// Package sentinel holds the sentinel errors of package message, so that
// the packages message is built from (the JSON engine) can wrap them without
// importing message. Package message exports them (message.ErrBadPayload,
// ...) and documents them; nothing else should name this package.
package sentinel

import "errors"

var (
	ErrUnknownType = errors.New("message: unknown message type")
	ErrBadLength   = errors.New("message: bad frame length")
	ErrBadPayload  = errors.New("message: bad payload")
	ErrMalformed   = errors.New("message: malformed frame")
	ErrTooLarge    = errors.New("message: frame too large")
)
