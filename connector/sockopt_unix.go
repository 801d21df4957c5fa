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

// connGone peeks at a TCP connection without consuming any data (MSG_PEEK,
// MSG_DONTWAIT through RawConn.Control, which does not wait for or disturb
// a Read in progress on another goroutine). It returns nil while the
// connection is alive, io.EOF after the peer's FIN, the socket error after a
// reset or a keepalive timeout, and net.ErrClosed when the descriptor is
// already closed.
//
// The peek does take the socket's pending error (the kernel hands it out
// once), and so does a Read: whichever comes second sees a bare end of
// stream. When the peek reads that end on an aborted connection (poll
// reports a hang-up, which a FIN alone does not: the sending side is
// still open), the error went to a Read in progress, and connGone returns
// errTaken: that Read's failure reports the real reason (see sweep).
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
				if hungUp(fd) {
					gone = errTaken
				}
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

// hungUp reports whether poll(2) says the socket has hung up (both
// directions shut: reset, timed out, or closed both ways), without
// waiting and without consuming anything.
func hungUp(fd uintptr) bool {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(pfd, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && pfd[0].Revents&unix.POLLHUP != 0
	}
}
