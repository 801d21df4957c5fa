package relay

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"os"
	"sync"
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

// Over a path that loses a fifth of the frames (data, acks, opens and
// ends alike) the stream still delivers every byte once, in order; the
// losses show as resends and the resends as duplicates.
func TestConnLossy(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	var mu sync.Mutex
	rng := mrand.New(mrand.NewPCG(1, 2))
	lossy := func(b []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		return rng.IntN(5) == 0
	}
	cfg := &Config{Window: 8192, Retransmit: 20 * time.Millisecond}
	a := startSideWith(t, s.ClientURL(), 1, cfg, lossy)
	b := startSideWith(t, s.ClientURL(), 2, cfg, lossy)
	ca, cb := recvConn(t, a).Conn, recvConn(t, b).Conn
	defer ca.Close()
	defer cb.Close()
	want := make([]byte, 200_000)
	_, _ = rand.Read(want)
	errc := make(chan error, 1)
	go func() {
		_, err := ca.Write(want)
		if err == nil {
			err = ca.Close()
		}
		errc <- err
	}()
	got, err := io.ReadAll(cb)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (equal prefix %d)", len(got), len(want), commonPrefix(got, want))
	}
	sa, sb := a.relay.Stats(), b.relay.Stats()
	if sa.Retransmits == 0 || sb.Duplicates+sb.OutOfOrder == 0 {
		t.Fatalf("no loss seen: sender %+v, receiver %+v", sa, sb)
	}
}
