package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestDiscoverCheck: an echo found by loopback discovery answers a -check peer.
func TestDiscoverCheck(t *testing.T) {
	for _, tc := range []struct {
		transport string
		port      int
	}{{"byte", 18741}, {"json", 18742}, {"msgpack", 18743}} {
		t.Run(tc.transport, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			srvOut := newLines()
			srv := config{transport: tc.transport, appID: "t", timeout: 10 * time.Second,
				discovery: discoveryFlags{on: true, lo: true, port: tc.port}}
			done := make(chan error, 1)
			go func() { done <- run(ctx, srv, srvOut) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("echo -discover: %v", err)
				}
			}()
			srvOut.waitFor(t, "discovering")

			check := srv
			check.discovery.check = true
			var out bytes.Buffer
			if err := run(context.Background(), check, &out); err != nil {
				t.Fatalf("echo -discover -check: %v\n%s", err, out.String())
			}
			srvOut.waitFor(t, "127.0.0.1:")
			if !bytes.Contains(out.Bytes(), []byte("ok: 4 messages came back unchanged")) {
				t.Errorf("no ok line:\n%s", out.String())
			}
		})
	}
}
