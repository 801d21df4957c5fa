package messenger

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// TestHelloMismatchReportedAtOnceOnBothEnds: each end of a mismatched pair
// gets a *HelloError naming the field, without waiting for its context.
func TestHelloMismatchReportedAtOnceOnBothEnds(t *testing.T) {
	for _, tc := range []struct {
		name         string
		a, b         *Options
		codecA, codB message.Codec
		field        string
	}{
		{"app id", &Options{AppID: "a"}, &Options{AppID: "b"}, message.NewByteCodec(nil), message.NewByteCodec(nil), "app id"},
		{"codec", &Options{AppID: "a"}, &Options{AppID: "a"}, message.NewJSONCodec(nil), message.NewByteCodec(nil), "codec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			// A long context: an end that waited for it instead of failing at
			// once would make the test time out rather than pass.
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			serverErr := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					serverErr <- err
					return
				}
				defer c.Close()
				_, err = New(ctx, c, tc.codecA, tc.a)
				serverErr <- err
			}()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, clientErr := New(ctx, c, tc.codB, tc.b)
			for end, err := range map[string]error{"client": clientErr, "server": <-serverErr} {
				var he *HelloError
				if !errors.As(err, &he) || he.Field != tc.field || !errors.Is(err, ErrBadHello) {
					t.Errorf("%s: err = %v, want a HelloError on %q", end, err, tc.field)
				}
			}
		})
	}
}
