package messenger

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/testtypes"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

// position is the benchmark and test message: code 0x10, uint32 id and
// three float32, big-endian: a 16-byte payload, an 18-byte byte frame.
type position = testtypes.Position

func newPosition() message.ByteMessage { return new(position) }

// positionFrame is the byte frame of position{ID: id}.
func positionFrame(id uint32) []byte {
	f, _ := (&position{ID: id}).AppendPayload([]byte{18, 0x10})
	return f
}

// byteCodec, jsonCodec and msgpackCodec register position the way the
// README teaches (message.Register).
func byteCodec() message.Codec {
	c := message.NewByteCodec(nil)
	message.Register[position](c)
	return c
}

func jsonCodec() message.Codec {
	c := message.NewJSONCodec(nil)
	message.Register[position](c)
	return c
}

func msgpackCodec() message.Codec {
	c := msgpack.NewCodec(nil)
	message.Register[position](c)
	return c
}

// renamed is a codec under another name, for hello mismatches.
type renamed struct {
	message.Codec
	name string
}

func (r renamed) Name() string { return r.name }

// transport makes a connected pair of conns.
type transport struct {
	name string
	pair func(t testing.TB) (net.Conn, net.Conn)
}

var transports = []transport{
	{"pipe", func(testing.TB) (net.Conn, net.Conn) { return net.Pipe() }},
	{"tcp", tcpPair},
	{"unix", unixPair},
}

// unixPair returns both ends of a Unix-domain stream socket.
func unixPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	dir, err := os.MkdirTemp("", "messenger")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir) // the connection outlives the socket file
	return listenPair(t, "unix", filepath.Join(dir, "s"))
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	return listenPair(t, "tcp", "127.0.0.1:0")
}

func listenPair(t testing.TB, network, addr string) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	a, err := net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-accepted
	if r.err != nil {
		a.Close()
		t.Fatal(r.err)
	}
	return a, r.c
}

// pairConfig describes the two ends of a messenger pair.
type pairConfig struct {
	codecA, codecB message.Codec // default: byteCodec()
	optsA, optsB   *Options
}

// newPair returns two Messengers connected over tr, created concurrently
// (the hello needs both ends). They are closed at the end of the test.
func newPair(t testing.TB, tr transport, cfg pairConfig) (*Messenger, *Messenger) {
	t.Helper()
	if cfg.codecA == nil {
		cfg.codecA = byteCodec()
	}
	if cfg.codecB == nil {
		cfg.codecB = byteCodec()
	}
	ca, cb := tr.pair(t)
	return mustBoth(t, ca, cb, cfg)
}

// mustBoth is newBoth for a test that needs both Messengers: it fails the
// test when either New fails, and closes both at the end of the test.
func mustBoth(t testing.TB, ca, cb net.Conn, cfg pairConfig) (*Messenger, *Messenger) {
	t.Helper()
	a, b, errA, errB := newBoth(ca, cb, cfg)
	if errA != nil || errB != nil {
		ca.Close()
		cb.Close()
		t.Fatalf("New: %v / %v", errA, errB)
	}
	t.Cleanup(func() {
		a.Close()
		b.Close()
	})
	return a, b
}

// newBoth calls New on both conns concurrently.
func newBoth(ca, cb net.Conn, cfg pairConfig) (a, b *Messenger, errA, errB error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b, errB = New(ctx, cb, cfg.codecB, cfg.optsB)
	}()
	a, errA = New(ctx, ca, cfg.codecA, cfg.optsA)
	wg.Wait()
	return a, b, errA, errB
}

// forEachTransport runs f as a subtest per transport.
func forEachTransport(t *testing.T, f func(t *testing.T, tr transport)) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			f(t, tr)
		})
	}
}

// compatMessenger makes a Compat Messenger with codec and opts (Compat is
// set) over one end of a tr pair, and returns the other, raw end. Both are
// closed when the test ends.
func compatMessenger(t *testing.T, tr transport, codec message.Codec, opts Options) (raw net.Conn, m *Messenger) {
	t.Helper()
	raw, c := tr.pair(t)
	t.Cleanup(func() { raw.Close() })
	opts.Compat = true
	m, err := New(context.Background(), c, codec, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return raw, m
}

// poll calls step until it returns true, failing the test after a while.
// Between unsuccessful steps it waits a little (a polling interval, not
// synchronisation: the result is decided by step).
func poll(t testing.TB, what string, step func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; !step(); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		if i > 100 {
			time.Sleep(50 * time.Microsecond)
		}
	}
}

// xferOK calls Xfer and fails the test on error.
func xferOK(t testing.TB, ms ...*Messenger) {
	t.Helper()
	for _, m := range ms {
		if err := m.Xfer(); err != nil {
			t.Fatalf("Xfer: %v", err)
		}
	}
}

// recvN pumps m until n messages arrived (pumping also the others) and
// returns them.
func recvN(t testing.TB, m *Messenger, n int, others ...*Messenger) []message.Message {
	t.Helper()
	var got []message.Message
	poll(t, "messages", func() bool {
		xferOK(t, others...)
		xferOK(t, m)
		for msg := m.Get(); msg != nil; msg = m.Get() {
			got = append(got, msg)
		}
		return len(got) >= n
	})
	if len(got) != n {
		t.Fatalf("got %d messages, want %d", len(got), n)
	}
	return got
}

// xferUntilErr pumps m until Xfer returns an error and returns it.
func xferUntilErr(t testing.TB, m *Messenger) error {
	t.Helper()
	var err error
	poll(t, "an Xfer error", func() bool {
		for m.Get() != nil {
		}
		err = m.Xfer()
		return err != nil
	})
	return err
}
