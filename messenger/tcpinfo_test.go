package messenger

import (
	"errors"
	"net"
	"runtime"
	"testing"
)

func TestTCPInfo(t *testing.T) {
	a, b := newPair(t, transport{"tcp", tcpPair}, pairConfig{})
	ti, ok, err := tcpInfoAfterMessage(t, a, b)
	if !ok {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if ti.RTT <= 0 || ti.Cwnd == 0 || ti.MSS == 0 {
		t.Fatalf("TCPInfo after a message: %+v, want RTT, Cwnd and MSS > 0", ti)
	}
}

func TestTCPInfoNotTCP(t *testing.T) {
	for _, tr := range []transport{{"pipe", func(testing.TB) (net.Conn, net.Conn) { return net.Pipe() }}, {"unix", unixPair}} {
		a, _ := newPair(t, tr, pairConfig{})
		if _, err := a.TCPInfo(); !errors.Is(err, ErrNoTCPInfo) {
			t.Errorf("%s: TCPInfo: %v, want ErrNoTCPInfo", tr.name, err)
		}
	}
}

// directTCP is a DirectConn over a TCP socket, as a connector's Peer.Conn.
type directTCP struct{ *net.TCPConn }

func (directTCP) SocketFailed(err error) error { return nil }

// TestTCPInfoDirectConn: TCPInfo works through a DirectConn.
func TestTCPInfoDirectConn(t *testing.T) {
	tr := transport{"direct", func(t testing.TB) (net.Conn, net.Conn) {
		a, b := tcpPair(t)
		return directTCP{a.(*net.TCPConn)}, directTCP{b.(*net.TCPConn)}
	}}
	a, b := newPair(t, tr, pairConfig{})
	if a.raw == nil || a.raw.direct == nil {
		t.Fatal("the wrapper is not used as a DirectConn")
	}
	ti, ok, err := tcpInfoAfterMessage(t, a, b)
	if !ok {
		return
	}
	if err != nil || ti.RTT <= 0 {
		t.Fatalf("TCPInfo = %+v, %v", ti, err)
	}
}

// tcpInfoAfterMessage sends a message from a to b and returns a's TCPInfo
// then. Off Linux it fails t unless that is ErrNoTCPInfo, and says !ok:
// there is nothing more to check.
func tcpInfoAfterMessage(t *testing.T, a, b *Messenger) (TCPInfo, bool, error) {
	t.Helper()
	if err := a.Send(&position{ID: 1}); err != nil {
		t.Fatal(err)
	}
	recvN(t, b, 1, a)
	ti, err := a.TCPInfo()
	if runtime.GOOS != "linux" {
		if !errors.Is(err, ErrNoTCPInfo) {
			t.Fatalf("TCPInfo on %s: %v, want ErrNoTCPInfo", runtime.GOOS, err)
		}
		return ti, false, err
	}
	return ti, true, err
}
