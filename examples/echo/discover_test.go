package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// startDiscoverServer runs echo -discover -lo on port until the test ends;
// the cleanup fails the test when run does not return after cancel.
func startDiscoverServer(t *testing.T, transport string, port int) (config, *lines) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newLines()
	srv := config{transport: transport, appID: "t", timeout: 10 * time.Second,
		discovery: discoveryFlags{on: true, lo: true, port: port}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, srv, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("echo -discover: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("echo -discover did not return after cancel; output:\n%s", out.String())
		}
	})
	out.waitFor(t, "discovering")
	return srv, out
}

// check runs one echo -discover -check peer against srv.
func check(t *testing.T, srv config) {
	t.Helper()
	c := srv
	c.discovery.check = true
	var out bytes.Buffer
	if err := run(context.Background(), c, &out); err != nil {
		t.Fatalf("echo -discover -check: %v\n%s", err, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("ok: 4 messages came back unchanged")) {
		t.Errorf("no ok line:\n%s", out.String())
	}
}

// TestDiscoverCheck: an echo found by loopback discovery answers a -check peer.
func TestDiscoverCheck(t *testing.T) {
	for _, transport := range []string{"byte", "json", "msgpack"} {
		t.Run(transport, func(t *testing.T) {
			srv, srvOut := startDiscoverServer(t, transport, freeport.UDP(t))
			check(t, srv)
			srvOut.waitFor(t, "127.0.0.1:")
		})
	}
}

// TestDiscoverServesPeersOneAfterAnother: an echo -discover serves every
// peer that comes along, and still ends when its context does (it used to
// block for good once a second peer had come and gone).
func TestDiscoverServesPeersOneAfterAnother(t *testing.T) {
	srv, srvOut := startDiscoverServer(t, "byte", freeport.UDP(t))
	for range 3 {
		check(t, srv)
	}
	if n := strings.Count(srvOut.String(), "\nfound "); n < 3 {
		t.Errorf("server found %d peers, want 3:\n%s", n, srvOut.String())
	}
}
