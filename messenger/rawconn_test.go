//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package messenger

import (
	"testing"
	"time"
)

// A read on a descriptor that was closed meanwhile (a connector drops a
// peer that sent its goodbye) runs no read(2): it must report nothing
// read, not the count of the read before it, which made Xfer append the
// stale bytes again and deliver a message twice.
func TestRawReadAfterCloseReadsNothing(t *testing.T) {
	a, b := tcpPair(t)
	raw := newRawConn(b)
	if raw == nil {
		t.Fatal("no raw conn for a *net.TCPConn")
	}
	if _, err := a.Write([]byte{2, 4}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := raw.read(buf)
		if n == 2 {
			break
		}
		if (err != nil && !wouldBlock(err)) || time.Now().After(deadline) {
			t.Fatalf("read = %d, %v; want the 2 bytes written", n, err)
		}
		if err := raw.waitReadable(); err != nil {
			t.Fatal(err)
		}
	}
	b.Close()
	if n, err := raw.read(buf); n != 0 || err == nil {
		t.Fatalf("read after Close = %d, %v; want 0 and an error", n, err)
	}
	if n, err := raw.write([]byte{2, 4}); n != 0 || err == nil {
		t.Fatalf("write after Close = %d, %v; want 0 and an error", n, err)
	}
}
