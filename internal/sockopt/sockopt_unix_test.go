//go:build unix

package sockopt

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// get reads a SOL_SOCKET option of c's socket.
func get(t *testing.T, c syscall.Conn, opt int) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt) }); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

func TestEnableSetsEachOption(t *testing.T) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return Enable(rc, unix.SO_REUSEADDR, unix.SO_BROADCAST)
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c := pc.(*net.UDPConn)
	for _, o := range []int{unix.SO_REUSEADDR, unix.SO_BROADCAST} {
		if v := get(t, c, o); v == 0 {
			t.Errorf("option %d not set", o)
		}
	}
	if v := get(t, c, unix.SO_REUSEPORT); v != 0 {
		t.Errorf("SO_REUSEPORT set though not asked for")
	}
}

func TestEnableReportsTheFailure(t *testing.T) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return Enable(rc, unix.SO_REUSEADDR, -1) // no such option
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "127.0.0.1:0")
	if err == nil {
		pc.Close()
		t.Fatal("an unknown option did not fail the listen")
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		t.Errorf("error %v carries no errno", err)
	}
}
