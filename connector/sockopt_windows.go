//go:build windows

package connector

import (
	"net"
	"syscall"
)

// reuseControl lets many sockets bind the same UDP port (SO_REUSEADDR; on
// Windows it alone lets every socket bound to the port receive each
// broadcast datagram), so several instances on one host find each other.
// It also enables SO_BROADCAST.
func reuseControl(network, address string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		h := syscall.Handle(fd)
		if serr = syscall.SetsockoptInt(h, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); serr != nil {
			return
		}
		serr = syscall.SetsockoptInt(h, syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// broadcastControl enables SO_BROADCAST on the beacon sending socket.
func broadcastControl(network, address string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// connGone cannot peek without blocking on Windows (sockets there are
// driven by completion ports, not non-blocking calls): connections are
// watched through the wrapper and TCP keepalive only.
func connGone(net.Conn) error { return nil }
