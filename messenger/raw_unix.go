//go:build unix

package messenger

import (
	"net"
	"os"
	"syscall"
)

// rawWriter does non-blocking write(2) calls on the socket of a
// *net.TCPConn or *net.UnixConn (Go keeps sockets in non-blocking mode).
// Other conns, including types that embed these and may change what Write
// does, get nil and go through writeLoop.
type rawWriter struct {
	conn net.Conn
	rc   syscall.RawConn
	fn   func(fd uintptr) bool // made once: no allocation per write
	buf  []byte
	n    int
	err  error
}

func newRawWriter(conn net.Conn) *rawWriter {
	var sc syscall.Conn
	switch c := conn.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		if c.LocalAddr().Network() != "unix" { // not a datagram socket
			return nil
		}
		sc = c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &rawWriter{conn: conn, rc: rc}
	w.fn = func(fd uintptr) bool {
		w.n, w.err = syscall.Write(int(fd), w.buf)
		return true // never wait for the socket to be writable
	}
	return w
}

// write does one non-blocking write of p. It returns syscall.EAGAIN when the
// socket buffer is full, and a *net.OpError for a real failure.
func (w *rawWriter) write(p []byte) (int, error) {
	w.buf = p
	err := w.rc.Write(w.fn)
	w.buf = nil
	n, werr := w.n, w.err
	if n < 0 {
		n = 0
	}
	if err != nil {
		return n, err
	}
	if werr != nil && werr != syscall.EAGAIN && werr != syscall.EINTR {
		werr = &net.OpError{Op: "write", Net: w.conn.LocalAddr().Network(),
			Source: w.conn.LocalAddr(), Addr: w.conn.RemoteAddr(), Err: os.NewSyscallError("write", werr)}
	}
	return n, werr
}
