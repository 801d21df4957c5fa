//go:build !unix && !windows

package connector

import (
	"net"
	"syscall"
)

// reuseControl: SO_REUSEPORT is not available; a second instance on the
// same host cannot share the beacon port.
func reuseControl(network, address string, rc syscall.RawConn) error { return nil }

func broadcastControl(network, address string, rc syscall.RawConn) error { return nil }

// connGone cannot peek without consuming here; connections are watched
// through the wrapper and keepalive only.
func connGone(net.Conn) error { return nil }
