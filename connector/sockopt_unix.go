//go:build unix

package connector

import (
	"errors"
	"io"
	"net"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/cablecar-go/cablecar/internal/sockopt"
)

// reuseControl lets many sockets bind the same UDP port (SO_REUSEADDR and
// SO_REUSEPORT): every instance on the host then receives every broadcast.
// It also enables SO_BROADCAST.
func reuseControl(network, address string, rc syscall.RawConn) error {
	return sockopt.Enable(rc, unix.SO_REUSEADDR, unix.SO_REUSEPORT, unix.SO_BROADCAST)
}

// broadcastControl enables SO_BROADCAST on the beacon sending socket.
func broadcastControl(network, address string, rc syscall.RawConn) error {
	return sockopt.Enable(rc, unix.SO_BROADCAST)
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
