//go:build linux

package connector

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// blackholeListener returns the address of a loopback listener whose accept
// queue is full: the kernel drops further SYNs, so a connect to it hangs
// until its deadline.
func blackholeListener(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
	// Fill the queue (backlog 0 holds one) until a connect hangs. Each
	// connect that completes was queued (nobody accepts), so a timeout
	// after one of them means a full queue even on a loaded machine.
	timeout := 5 * time.Second // the first connect must complete
	for i := 0; ; i++ {
		if i == 8 {
			t.Skip("the kernel accepts connections beyond a full backlog here")
		}
		c, err := net.DialTimeout("tcp4", addr, timeout)
		if err != nil {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() && i > 0 {
				return addr
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		timeout = 200 * time.Millisecond
	}
}

func TestDialTimeoutDuringConnect(t *testing.T) {
	// The connect itself runs into Timeout: the runtime's deadline (the
	// context's deadline) and the context's timer race; the error must name
	// ErrTimeout either way, never only "i/o timeout".
	addr := blackholeListener(t)
	c := &DirectClient{Timeout: 20 * time.Millisecond}
	for i := range 30 {
		conn, err := c.Dial(context.Background(), addr)
		if err == nil {
			conn.Close()
			t.Fatal("Dial to a full backlog succeeded")
		}
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("try %d: error %q does not wrap ErrTimeout", i, err)
		}
	}
}
