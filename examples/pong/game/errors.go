package game

import "errors"

// Sentinel errors: a payload decoder's error wraps one of them (the byte
// codec wraps that in message.ErrBadPayload), and so does Guest.OnBall's.
var (
	// ErrPayloadSize: a payload is not the size of its message type.
	ErrPayloadSize = errors.New("pong: wrong payload size")
	// ErrOutOfRange: a field is outside what the game can produce.
	ErrOutOfRange = errors.New("pong: field out of range")
	// ErrFrameOrder: a BallMsg is not the one that follows the previous one.
	ErrFrameOrder = errors.New("pong: ball state out of order")
)
