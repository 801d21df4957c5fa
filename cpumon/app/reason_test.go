package app

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/room"
)

func TestReasonText(t *testing.T) {
	// A Messenger's read error as a broken TCP connection gives it.
	readErr := func(errno syscall.Errno) error {
		op := &net.OpError{Op: "read", Net: "tcp4", Err: os.NewSyscallError("read", errno)}
		return fmt.Errorf("messenger: read: %w", op)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{connector.ErrPeerLeft, "left"},
		{fmt.Errorf("messenger: peer closed: %w", io.EOF), "left"},
		{connector.ErrPeerTimeout, "timeout"},
		{errors.Join(connector.ErrPeerTimeout, syscall.ETIMEDOUT), "timeout"},
		{readErr(syscall.ETIMEDOUT), "timeout"}, // keepalive beat the sweep
		{readErr(syscall.ECONNRESET), readErr(syscall.ECONNRESET).Error()},
		// The reasons of a room.Left (native mode).
		{fmt.Errorf("%w: %w", room.ErrPeerLeft, io.EOF), "left"},
		{fmt.Errorf("%w: no message for 4s", room.ErrPeerTimeout), "timeout"},
		// A silent peer whose connection the connector closed: the end of
		// the stream in the cause does not make it a leave.
		{fmt.Errorf("%w: %w", room.ErrPeerTimeout, fmt.Errorf("messenger: %w (%w)", io.EOF, connector.ErrPeerTimeout)), "timeout"},
		{fmt.Errorf("%w: %w", room.ErrPeerProtocol, errors.New("bad frame")), "room: peer broke the protocol: bad frame"},
	} {
		if got := reasonText(tc.err); got != tc.want {
			t.Errorf("reasonText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
