package main

import (
	"errors"

	"github.com/cablecar-go/cablecar/message"
)

// isSkippedFrame reports whether err only says that a bad frame was skipped:
// the connection is fine.
func isSkippedFrame(err error) bool {
	var de *message.DecodeError
	return errors.As(err, &de) && de.Recoverable()
}
