//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package messenger

import (
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// rawConn does non-blocking read(2), write(2) and a readability wait on the
// socket of a *net.TCPConn or *net.UnixConn (Go keeps sockets in
// non-blocking mode), or of a conn that opts in as a DirectConn. Other
// conns, including types that embed these and may change what Read or
// Write do, get nil and go through readLoop and writeLoop.
type rawConn struct {
	conn    net.Conn
	rc      syscall.RawConn
	direct  DirectConn       // the conn when it opted in, to be told of failures
	readFn  func(fd uintptr) // made once: no allocation per call
	writeFn func(fd uintptr) bool
	peekFn  func(fd uintptr) bool
	buf     []byte
	n       int
	err     error
	pfd     []unix.PollFd
}

func newRawConn(conn net.Conn) *rawConn {
	var (
		sc     syscall.Conn
		direct DirectConn
	)
	switch c := conn.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		if c.LocalAddr().Network() != "unix" { // not a datagram socket
			return nil
		}
		sc = c
	case DirectConn:
		switch c.LocalAddr().Network() {
		case "tcp", "tcp4", "tcp6", "unix": // stream sockets only
		default:
			return nil
		}
		sc, direct = c, c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	c := &rawConn{conn: conn, rc: rc, direct: direct}
	c.readFn = func(fd uintptr) {
		c.n, c.err = syscall.Read(int(fd), c.buf)
	}
	c.writeFn = func(fd uintptr) bool {
		c.n, c.err = syscall.Write(int(fd), c.buf)
		return true // never wait
	}
	c.pfd = make([]unix.PollFd, 1)
	c.peekFn = func(fd uintptr) bool {
		// poll(2), not a peek: a peek would consume a pending error (a
		// reset) and Xfer's read would then see a clean end of stream.
		c.pfd[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
		n, err := unix.Poll(c.pfd, 0)
		// Data, end of stream or an error: Xfer's read will see which.
		return err != nil || (n > 0 && c.pfd[0].Revents != 0)
	}
	return c
}

// read does one non-blocking read into p. It returns syscall.EAGAIN when
// nothing is there, (0, nil) at the end of the stream, and a *net.OpError
// for a failure.
//
// It goes through RawConn.Control, which keeps the descriptor open during
// the call but takes no read lock: watch may be waiting for readability
// (holding the read lock) at the same time, and a peek there does not
// disturb a read here.
func (c *rawConn) read(p []byte) (int, error) {
	c.buf = p
	err := c.rc.Control(c.readFn)
	return c.result(err, "read")
}

// write does one non-blocking write of p. It returns syscall.EAGAIN when
// the socket buffer is full, and a *net.OpError for a failure.
func (c *rawConn) write(p []byte) (int, error) {
	c.buf = p
	err := c.rc.Write(c.writeFn)
	return c.result(err, "write")
}

func (c *rawConn) result(err error, op string) (int, error) {
	c.buf = nil
	n, serr := c.n, c.err
	c.n, c.err = 0, nil // never seen again by a call whose function did not run
	if n < 0 {
		n = 0
	}
	if err != nil {
		// Control or Write did not run the function (the descriptor was
		// closed): nothing was read or written.
		return 0, err
	}
	if serr != nil && serr != syscall.EAGAIN && serr != syscall.EINTR {
		serr = &net.OpError{Op: op, Net: c.conn.LocalAddr().Network(),
			Source: c.conn.LocalAddr(), Addr: c.conn.RemoteAddr(), Err: os.NewSyscallError(op, serr)}
	}
	return n, serr
}

// waitReadable blocks until the socket has data, has reached its end or has
// failed, or the conn is closed (the error then).
func (c *rawConn) waitReadable() error {
	return c.rc.Read(c.peekFn)
}

// failed turns the error (io.EOF at the end of the stream) that ended
// direct reading or writing into the one to report: a DirectConn is told
// and gives its own account.
func (c *rawConn) failed(err error) error {
	if c.direct == nil {
		return err
	}
	if rerr := c.direct.SocketFailed(err); rerr != nil {
		return rerr
	}
	return err
}

// wouldBlock reports whether err means "try again later".
func wouldBlock(err error) bool {
	return err == syscall.EAGAIN || err == syscall.EINTR
}
