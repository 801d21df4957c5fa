package messenger

import (
	"net"
	"syscall"
)

// DirectConn is implemented by a net.Conn that wraps a stream socket (TCP
// or Unix) and lets a Messenger do its I/O on that socket directly: with
// non-blocking system calls made by Xfer itself, as on a bare
// *net.TCPConn, instead of through a reader goroutine (see "I/O design" in
// the package documentation: a round trip through the goroutine is more
// than ten times slower when the game loop spins). Peer.Conn of package
// connector is one; the interface is met structurally, so such a
// package need not import this one.
//
// By implementing it a conn promises that its Read and Write are plain
// pass-throughs to the socket that SyscallConn returns: no buffering, no
// transformation, no bytes of its own (TLS, compression or a conn that has
// read ahead must not implement it). The Messenger still uses the conn's
// Write (from its writer goroutine, for large queues), Close, LocalAddr
// and RemoteAddr.
type DirectConn interface {
	net.Conn
	syscall.Conn

	// SocketFailed is called by the Messenger when reading or writing
	// the socket directly ended, with what ended it: io.EOF for the end of
	// the stream, or the failed system call's error (a *net.OpError), as
	// Read or Write would have returned them. It is called at most once per
	// direction, from the goroutine that calls Xfer, and must not block.
	// It lets a wrapper do what it does when its own Read or Write fails
	// (a connector drops the peer at once). It returns the error the
	// Messenger reports in its place (wrapped, see Xfer); nil keeps err.
	SocketFailed(err error) error
}
