package messenger

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// ErrNoTCPInfo is returned (wrapped) by TCPInfo where the kernel's view of
// the connection cannot be read: on a system other than Linux, or on a
// conn that is not a TCP socket (a Unix socket, net.Pipe, TLS, a wrapper
// that does not implement syscall.Conn).
var ErrNoTCPInfo = errors.New("messenger: TCP info not available")

// TCPInfo is the kernel's view of a TCP connection (Linux TCP_INFO, see
// tcp(7)), as TCPInfo reads it.
type TCPInfo struct {
	RTT          time.Duration // the kernel's smoothed round-trip time
	RTTVar       time.Duration // its mean deviation
	MinRTT       time.Duration // the smallest RTT the kernel saw (0 on old kernels)
	Retransmits  uint32        // retransmissions of the current segment (timeouts in a row)
	TotalRetrans uint32        // segments retransmitted over the connection's life
	Lost         uint32        // segments presumed lost, now
	Cwnd         uint32        // congestion window, in segments
	MSS          uint32        // sender's maximum segment size, in bytes
	Unacked      uint32        // segments sent and not yet acknowledged
	Unsent       uint32        // bytes in the send buffer not yet sent (notsent_bytes)
}

// TCPInfo reads the kernel's view of the Messenger's connection with
// getsockopt(TCP_INFO). It works on Linux for a *net.TCPConn and for any
// conn that implements syscall.Conn over a TCP socket (a DirectConn such
// as a connector's Peer.Conn); elsewhere it returns an error wrapping
// ErrNoTCPInfo. It makes one system call and may be called from any
// goroutine.
func (m *Messenger) TCPInfo() (TCPInfo, error) { return ReadTCPInfo(m.conn) }

// ReadTCPInfo is TCPInfo for any conn (see Messenger.TCPInfo).
func ReadTCPInfo(conn net.Conn) (TCPInfo, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return TCPInfo{}, fmt.Errorf("%w: %T has no socket (syscall.Conn)", ErrNoTCPInfo, conn)
	}
	switch conn.LocalAddr().Network() {
	case "tcp", "tcp4", "tcp6":
	default:
		return TCPInfo{}, fmt.Errorf("%w: a %s socket, not TCP", ErrNoTCPInfo, conn.LocalAddr().Network())
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return TCPInfo{}, fmt.Errorf("%w: %w", ErrNoTCPInfo, err)
	}
	return tcpInfo(rc)
}
