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
	stream(t, a, b, 300_000) // many windows, many frames
	if _, err := a.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
}

// stream writes n random bytes on w and closes it, reads r to its end,
// and fails t unless both went without error and r gave those bytes.
func stream(t *testing.T, w io.WriteCloser, r io.Reader, n int) {
	t.Helper()
	want := make([]byte, n)
	_, _ = rand.Read(want)
	errc := make(chan error, 1)
	go func() {
		_, err := w.Write(want)
		if err == nil {
			err = w.Close()
		}
		errc <- err
	}()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (equal prefix %d)", len(got), len(want), commonPrefix(got, want))
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
	stream(t, ca, cb, 200_000)
	sa, sb := a.relay.Stats(), b.relay.Stats()
	if sa.Retransmits == 0 || sb.Duplicates+sb.OutOfOrder == 0 {
		t.Fatalf("no loss seen: sender %+v, receiver %+v", sa, sb)
	}
}

// A full window whose update is lost: every frame is acknowledged, the
// reader then reads them all, and the one ack that says so is lost. The
// sender's probe gets a fresh ack, so a blocked Write goes on (before the
// probe, both sides waited for each other for ever).
func TestConnLostWindowUpdate(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	const window = 8192
	var mu sync.Mutex
	dropped := 0
	dropUpdate := func(b []byte) bool { // b's outgoing frames
		f, err := parseFrame(b)
		if err != nil || f.kind != kindAck || f.read != window {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		dropped++
		return dropped == 1 // the first ack that reports every byte read
	}
	cfg := &Config{Window: window, Retransmit: 20 * time.Millisecond}
	a := startSideWith(t, s.ClientURL(), 1, cfg, nil)
	b := startSideWith(t, s.ClientURL(), 2, cfg, dropUpdate)
	ca, cb := recvConn(t, a).Conn, recvConn(t, b).Conn
	defer ca.Close()
	defer cb.Close()
	if _, err := ca.Write(make([]byte, window)); err != nil { // fills the window
		t.Fatal(err)
	}
	// Every frame acknowledged: the bytes wait in b, and one Read takes
	// them all, so that one ack alone reports them read.
	sender := ca.(*Conn)
	for deadline := time.Now().Add(10 * time.Second); ; {
		sender.mu.Lock()
		acked := len(sender.unacked) == 0
		sender.mu.Unlock()
		if acked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the frames were never acknowledged")
		}
		time.Sleep(time.Millisecond) // polling a condition, with a deadline
	}
	if n, err := cb.Read(make([]byte, window)); n != window || err != nil {
		t.Fatalf("Read: %d, %v; want all %d bytes", n, err, window)
	}
	_ = ca.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := ca.Write([]byte{1}); err != nil {
		t.Fatalf("Write after the lost window update: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if dropped < 2 {
		t.Fatalf("%d acks reported the reads: the update was never lost, or never asked for again", dropped)
	}
}
