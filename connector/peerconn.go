package connector

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
)

// peerConn is the net.Conn handed to the user in Peer.Conn. It forwards
// everything to the TCP connection and tells the connector when the user
// closes it or a Read or Write fails, so the peer is dropped at once. It
// never reads on its own.
type peerConn struct {
	net.Conn
	c          *BroadcastConnector
	key        peerKey
	peer       Peer
	userClosed atomic.Bool
	dropped    atomic.Pointer[error] // the error Read and Write return once the connector dropped the peer
}

var _ syscall.Conn = (*peerConn)(nil)

func (p *peerConn) Read(b []byte) (int, error) {
	n, err := p.Conn.Read(b)
	if err != nil {
		err = p.failed(err)
	}
	return n, err
}

func (p *peerConn) Write(b []byte) (int, error) {
	n, err := p.Conn.Write(b)
	if err != nil {
		err = p.failed(err)
	}
	return n, err
}

// failed reports a Read or Write error to the connector. Deadline errors
// are the caller's business and are not reported.
func (p *peerConn) failed(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	if d := p.dropped.Load(); d != nil {
		return *d
	}
	if !p.userClosed.Load() {
		p.c.connFailed(p, err)
	}
	if d := p.dropped.Load(); d != nil {
		// The connector dropped it meanwhile. Its sweep may have taken the
		// socket's error (a peek that read ETIMEDOUT leaves the end of the
		// stream to the next read): its reason is the real one.
		return *d
	}
	return err
}

// Close closes the connection and drops the peer (OnDisconnect with
// net.ErrClosed). While discovery runs, a peer that is still beaconing is
// connected again on its next beacon.
func (p *peerConn) Close() error {
	if !p.userClosed.Swap(true) {
		p.c.connFailed(p, net.ErrClosed)
	}
	err := p.Conn.Close()
	if err != nil && p.dropped.Load() != nil {
		return nil // the connector had closed it already
	}
	return err
}

// markDropped records why the connector dropped the connection, for the
// errors of later Reads and Writes: io.EOF stays io.EOF; anything else
// wraps both net.ErrClosed and the reason.
func (p *peerConn) markDropped(reason error) {
	var err error
	if reason == io.EOF {
		err = io.EOF
	} else {
		err = fmt.Errorf("connector: peer dropped: %w (%w)", net.ErrClosed, reason)
	}
	p.dropped.Store(&err)
}

// SyscallConn gives access to the TCP connection's descriptor, for
// messengers that do non-blocking I/O.
func (p *peerConn) SyscallConn() (syscall.RawConn, error) {
	return p.Conn.(syscall.Conn).SyscallConn()
}

// SocketFailed reports an error (io.EOF at the end of the stream) that I/O
// done directly on the socket (through SyscallConn) ended with, as a
// failed Read or Write reports its own, and returns the error to use in
// its place. It makes peerConn a messenger.DirectConn, so that a Messenger
// on Peer.Conn does non-blocking I/O on the socket.
func (p *peerConn) SocketFailed(err error) error { return p.failed(err) }

// CloseWrite shuts down the writing side of the TCP connection.
func (p *peerConn) CloseWrite() error { return p.Conn.(*net.TCPConn).CloseWrite() }

// NetConn returns the underlying *net.TCPConn. Closing it directly
// bypasses the wrapper: the connector then notices within one sweep.
func (p *peerConn) NetConn() net.Conn { return p.Conn }
