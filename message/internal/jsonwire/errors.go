package jsonwire

import "github.com/cablecar-go/cablecar/message/internal/sentinel"

// The sentinels the engine wraps: package message's own (see its errors.go).
var (
	ErrBadPayload = sentinel.ErrBadPayload
	ErrMalformed  = sentinel.ErrMalformed
)
