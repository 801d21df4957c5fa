package relay

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/messenger"
)

// With a secret, the hello, the CPace handshake and sealed records run
// through the relay end to end: a tap on every relay subject of the
// server never sees the message text. Without one it does, so the tap
// works.
func TestSecretEndToEnd(t *testing.T) {
	const marker = "MARKER-7f3a9c-secret-move"
	for _, tc := range []struct {
		name    string
		secret  []byte
		visible bool
	}{
		{"plain", nil, true},
		{"secret", []byte("seven-guitarist-revenge"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			s := startServer(t, nil)
			tp := newTap(t, s.ClientURL())
			a, b, _, _ := pair(t, s.ClientURL(), nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ms := make(chan *messenger.Messenger, 2)
			errs := make(chan error, 2)
			for i, c := range []*Conn{a, b} {
				go func() {
					m, err := messenger.New(ctx, c, newCodec(), &messenger.Options{AppID: "e2e", PeerID: uint64(i + 1), Secret: tc.secret})
					errs <- err
					ms <- m
				}()
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			m1, m2 := <-ms, <-ms
			defer m1.Close()
			defer m2.Close()
			if m1.Secure() != (tc.secret != nil) {
				t.Fatalf("Secure() = %v", m1.Secure())
			}
			for i := range 50 {
				if err := m1.Send(&note{S: marker}); err != nil {
					t.Fatal(i, err)
				}
			}
			if err := m1.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			got := 0
			for got < 50 {
				msg, err := m2.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n, ok := msg.(*note); !ok || n.S != marker {
					t.Fatalf("got %#v", msg)
				}
				got++
			}
			// The tap is behind the receiver at most by what is in flight.
			if err := tp.nc.Flush(); err != nil {
				t.Fatal(err)
			}
			seen, subs := tp.all()
			if len(subs) == 0 {
				t.Fatal("the tap saw nothing")
			}
			if bytes.Contains(seen, []byte(marker)) != tc.visible {
				t.Fatalf("marker visible to the server: %v, want %v (subjects %v)", !tc.visible, tc.visible, subs)
			}
		})
	}
}
