package main

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
)

// silentServer accepts connections and reads them without ever answering.
type silentServer struct{ wg sync.WaitGroup }

func (s *silentServer) start(t *testing.T, ctx context.Context) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() {
				go func() { <-ctx.Done(); c.Close() }()
				io.Copy(io.Discard, c)
			})
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return ln.Addr().String()
}
