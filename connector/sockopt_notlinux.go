//go:build !linux

package connector

import (
	"net"
	"time"
)

// setUserTimeout is Linux-only; elsewhere TCP keepalive alone detects dead
// peers.
func setUserTimeout(net.Conn, time.Duration) {}
