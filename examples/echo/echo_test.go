package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/messenger"
)

// lines collects what a printer writes and lets a test wait for a line.
type lines struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	seen chan struct{}
}

func newLines() *lines { return &lines{seen: make(chan struct{}, 1)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	select {
	case l.seen <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor returns the first line that starts with prefix, waiting until the
// deadline.
func (l *lines) waitFor(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		sc := bufio.NewScanner(strings.NewReader(l.String()))
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				return sc.Text()
			}
		}
		select {
		case <-l.seen:
		case <-deadline:
			t.Fatalf("no line %q in:\n%s", prefix, l.String())
		}
	}
}

// startServer runs the echo server on a free loopback port until the test ends
// and returns its address.
func startServer(t *testing.T, cfg config) (addr string, out *lines) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = newLines()
	cfg.listen = "127.0.0.1:0"
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	fields := strings.Fields(out.waitFor(t, "listening "))
	return fields[1], out
}

func TestEchoRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		transport string
		compat    bool
	}{
		{"byte", false}, {"json", false}, {"msgpack", false},
		{"byte", true}, {"json", true},
	} {
		name := tc.transport
		if tc.compat {
			name += "-compat"
		}
		t.Run(name, func(t *testing.T) {
			cfg := config{transport: tc.transport, compat: tc.compat, appID: "test", timeout: 10 * time.Second}
			addr, srvOut := startServer(t, cfg)
			cfg.dial = addr
			var out bytes.Buffer
			if err := run(context.Background(), cfg, &out); err != nil {
				t.Fatalf("client: %v\n%s", err, out.String())
			}
			if got := strings.Count(out.String(), "\ngot  "); got != 4 {
				t.Errorf("client printed %d got-lines, want 4:\n%s", got, out.String())
			}
			if !strings.Contains(out.String(), "ok: 4 messages came back unchanged") {
				t.Errorf("client output lacks the ok line:\n%s", out.String())
			}
			srvOut.waitFor(t, addrOf(t, srvOut)+" echo MsgQuit")
		})
	}
}

// addrOf returns the client address from the server's "connected" line.
func addrOf(t *testing.T, out *lines) string {
	return strings.Fields(out.waitFor(t, "127.0.0.1:"))[0]
}

func TestEchoMismatchFailsBothEnds(t *testing.T) {
	for _, tc := range []struct {
		name        string
		srv, client config
		field       string
	}{
		{"codec", config{transport: "json", appID: "a"}, config{transport: "byte", appID: "a"}, "codec"},
		{"app", config{transport: "byte", appID: "a"}, config{transport: "byte", appID: "b"}, "app id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, srvOut := startServer(t, tc.srv)
			tc.client.dial = addr
			tc.client.timeout = 5 * time.Second
			var out bytes.Buffer
			err := run(context.Background(), tc.client, &out)
			var helloErr *messenger.HelloError
			if !errors.As(err, &helloErr) || helloErr.Field != tc.field {
				t.Fatalf("client error = %v, want a HelloError on %q", err, tc.field)
			}
			if line := srvOut.waitFor(t, addrOf(t, srvOut)+" refused"); !strings.Contains(line, "bad hello") {
				t.Errorf("server line %q does not name the bad hello", line)
			}
		})
	}
}

func TestEchoClientFailsWhenNothingComesBack(t *testing.T) {
	// A server in compat mode that never answers: the client must give up at
	// its timeout with an error, not hang.
	cfg := config{transport: "byte", compat: true, timeout: 300 * time.Millisecond}
	srvCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &silentServer{}
	addr := sink.start(t, srvCtx)
	cfg.dial = addr
	err := run(context.Background(), cfg, io.Discard)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client error = %v, want a deadline", err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, cfg := range []config{
		{transport: "xml", dial: "127.0.0.1:1"},
		{transport: "msgpack", compat: true, dial: "127.0.0.1:1"},
		{transport: "byte", dial: "127.0.0.1:1", listen: "127.0.0.1:0"},
	} {
		if err := run(context.Background(), cfg, io.Discard); err == nil {
			t.Errorf("run(%+v) = nil, want an error", cfg)
		}
	}
}
