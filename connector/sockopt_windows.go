//go:build windows

package connector

import (
	"net"
	"syscall"

	"github.com/cablecar-go/cablecar/internal/sockopt"
)

// reuseControl lets many sockets bind the same UDP port (SO_REUSEADDR; on
// Windows it alone lets every socket bound to the port receive each
// broadcast datagram), so several instances on one host find each other.
// It also enables SO_BROADCAST.
func reuseControl(network, address string, rc syscall.RawConn) error {
	return sockopt.Enable(rc, syscall.SO_REUSEADDR, syscall.SO_BROADCAST)
}

// broadcastControl enables SO_BROADCAST on the beacon sending socket.
func broadcastControl(network, address string, rc syscall.RawConn) error {
	return sockopt.Enable(rc, syscall.SO_BROADCAST)
}

// connGone cannot peek without blocking on Windows (sockets there are
// driven by completion ports, not non-blocking calls): connections are
// watched through the wrapper and TCP keepalive only.
func connGone(net.Conn) error { return nil }
