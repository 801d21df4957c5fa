package relay

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// A stream carries bytes in order, each once, both ways, and ends with
// io.EOF after the peer's Close.
func TestConnStream(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	a, b, _, _ := pair(t, s.ClientURL(), &Config{Window: 4096})
	want := make([]byte, 300_000) // many windows, many frames
	_, _ = rand.Read(want)
	errc := make(chan error, 1)
	go func() {
		_, err := a.Write(want)
		if err == nil {
			err = a.Close()
		}
		errc <- err
	}()
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (equal prefix %d)", len(got), len(want), commonPrefix(got, want))
	}
	if _, err := a.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// A read deadline ends a blocked Read with a timeout.
func TestConnDeadline(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	a, _, _, _ := pair(t, s.ClientURL(), nil)
	_ = a.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := a.Read(make([]byte, 8))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read: %v", err)
	}
}
