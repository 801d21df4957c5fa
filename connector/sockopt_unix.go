//go:build unix

package connector

import (
	"errors"
	"io"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// reuseControl lets many sockets bind the same UDP port (SO_REUSEADDR and
// SO_REUSEPORT): every instance on the host then receives every broadcast.
// It also enables SO_BROADCAST.
func reuseControl(network, address string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
			return
		}
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); serr != nil {
			return
		}
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
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
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// connGone peeks at a TCP connection without consuming anything (MSG_PEEK,
// MSG_DONTWAIT through RawConn.Control, which does not wait for or disturb
// a Read in progress on another goroutine). It returns nil while the
// connection is alive, io.EOF after the peer's FIN, the socket error after a
// reset or a keepalive timeout, and net.ErrClosed when the descriptor is
// already closed.
func connGone(conn net.Conn) error {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return net.ErrClosed
	}
	var gone error
	var b [1]byte
	err = rc.Control(func(fd uintptr) {
		for {
			n, _, rerr := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
			switch {
			case rerr == unix.EINTR:
				continue
			case rerr == unix.EAGAIN:
			case rerr != nil:
				gone = rerr
			case n == 0:
				gone = io.EOF
			}
			return
		}
	})
	if err != nil {
		return net.ErrClosed
	}
	if errors.Is(gone, unix.ETIMEDOUT) {
		return errors.Join(ErrPeerTimeout, gone)
	}
	return gone
}
