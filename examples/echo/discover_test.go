package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
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

// TestDiscoverAloneSaysWhy: -discover -check with nobody to find prints
// discovery's progress while it waits and fails with the likely reason.
func TestDiscoverAloneSaysWhy(t *testing.T) {
	every, after := statusEvery, statusAfter
	statusEvery, statusAfter = 200*time.Millisecond, 400*time.Millisecond
	defer func() { statusEvery, statusAfter = every, after }()
	c := config{transport: "json", appID: "t-alone", timeout: 2500 * time.Millisecond,
		discovery: discoveryFlags{on: true, lo: true, port: freeport.UDP(t), check: true}}
	var out bytes.Buffer
	err := run(context.Background(), c, &out)
	if !errors.Is(err, connector.ErrNobodyHeard) || !strings.Contains(err.Error(), "no peer found before -timeout") {
		t.Errorf("err = %v", err)
	}
	s := out.String()
	if !strings.Contains(s, "looking for peers on lo (127.255.255.255), 0 heard for ") ||
		!strings.Contains(s, "heard for 2s: connector: no peer heard") {
		t.Errorf("output:\n%s", s)
	}
}
