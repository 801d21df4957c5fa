package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestDialRefusedThenAccepted(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.TCP(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	h := &countingHandler{}
	c := &DirectClient{Timeout: 20 * time.Second, RetryInterval: 5 * time.Millisecond, Logger: slog.New(h)}

	type result struct {
		conn net.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := c.Dial(context.Background(), addr)
		done <- result{conn, err}
	}()
	// Let it be refused a few times, then start listening.
	waitFor(t, 10*time.Second, "three refused attempts", func() bool { return h.n.Load() >= 3 })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := <-done
	if r.err != nil {
		t.Fatalf("Dial: %v", r.err)
	}
	defer r.conn.Close()
	if _, err := r.conn.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := io.ReadFull(srv, b); err != nil || b[0] != 'x' {
		t.Fatalf("server read %q, %v", b, err)
	}
}

func TestDialTimeout(t *testing.T) {
	leakcheck.Check(t)
	// Nobody listens: every attempt is refused until Timeout. The error
	// wraps ErrTimeout and the last refusal, whichever of the runtime's
	// deadline and the context fires first. The bound is generous so that a
	// loaded machine still makes an attempt; the log counts the refusals.
	addr := "127.0.0.1:" + strconv.Itoa(freeport.TCP(t))
	h := &countingHandler{}
	c := &DirectClient{Timeout: 300 * time.Millisecond, RetryInterval: 10 * time.Millisecond, Logger: slog.New(h)}
	conn, err := c.Dial(context.Background(), addr)
	if err == nil {
		conn.Close()
		t.Fatal("Dial succeeded with nobody listening")
	}
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("error %v does not wrap ErrTimeout", err)
	}
	if h.n.Load() > 0 && !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not wrap the last refusal (ECONNREFUSED) after %d refused attempts", err, h.n.Load())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, os.ErrDeadlineExceeded) || strings.HasSuffix(err.Error(), "i/o timeout") {
		t.Errorf("error %v wraps context.Canceled or a bare i/o timeout", err)
	}
}

func TestDialContextCancel(t *testing.T) {
	leakcheck.Check(t)
	addr := "127.0.0.1:" + strconv.Itoa(freeport.TCP(t))
	h := &countingHandler{}
	c := &DirectClient{Timeout: -1, RetryInterval: 5 * time.Millisecond, Logger: slog.New(h)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Dial(ctx, addr)
		done <- err
	}()
	waitFor(t, 10*time.Second, "a refused attempt", func() bool { return h.n.Load() >= 1 })
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("error %v wraps ErrTimeout", err)
	}
}

func TestDialParentDeadline(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(freeport.TCP(t))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := (&DirectClient{Timeout: time.Hour}).Dial(ctx, addr)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
}

func TestDialNotRetryable(t *testing.T) {
	// A bad port fails at once and is not retried: no network traffic at all.
	c := &DirectClient{Timeout: time.Hour}
	start := time.Now()
	_, err := c.Dial(context.Background(), "127.0.0.1:99999")
	if err == nil {
		t.Fatal("Dial to port 99999 succeeded")
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("error %v wraps ErrTimeout", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("Dial took %v", d)
	}
}

func TestDialHostname(t *testing.T) {
	leakcheck.Check(t)
	// "localhost" resolves through /etc/hosts; cable_car accepted only IPs.
	s := &DirectServer{Addr: "localhost:0"}
	if err := s.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	port := s.LocalAddr().(*net.TCPAddr).Port
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := s.Accept(context.Background())
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	conn, err := Dial(context.Background(), "localhost:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if c := <-accepted; c != nil {
		c.Close()
	}
}

func TestNilDirectClient(t *testing.T) {
	s := &DirectServer{Addr: "127.0.0.1:0"}
	if err := s.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var c *DirectClient
	conn, err := c.Dial(context.Background(), s.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestServerAcceptTimeout(t *testing.T) {
	leakcheck.Check(t)
	s := &DirectServer{Addr: "127.0.0.1:0", Timeout: 50 * time.Millisecond}
	defer s.Close()
	_, err := s.Accept(context.Background())
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Accept: %v, want ErrTimeout", err)
	}
	// The server is still usable after a timeout.
	s.Timeout = 0
	go func() {
		if c, err := Dial(context.Background(), s.LocalAddr().String()); err == nil {
			c.Close()
		}
	}()
	c, err := s.Accept(context.Background())
	if err != nil {
		t.Fatalf("Accept after timeout: %v", err)
	}
	c.Close()
}

func TestServerAcceptCancelAndClose(t *testing.T) {
	leakcheck.Check(t)
	s := &DirectServer{Addr: "127.0.0.1:0"}
	if err := s.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := s.Accept(ctx); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Accept after cancel: %v", err)
	}

	go func() { _, err := s.Accept(context.Background()); done <- err }()
	// Wait until that Accept holds the listener, then check ErrBusy.
	waitFor(t, 5*time.Second, "Accept in progress", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.accepting
	})
	if _, err := s.Accept(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("concurrent Accept: %v, want ErrBusy", err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Accept interrupted by Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Accept(context.Background()); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
}

func TestServerServe(t *testing.T) {
	leakcheck.Check(t)
	got := make(chan net.Conn, 3)
	s := &DirectServer{Addr: "127.0.0.1:0", OnConnect: func(c net.Conn) { got <- c }}
	if err := s.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()

	for i := range 3 {
		conn, err := Dial(context.Background(), s.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "%d", i)
		sc := <-got
		b := make([]byte, 1)
		if _, err := io.ReadFull(sc, b); err != nil || b[0] != byte('0'+i) {
			t.Errorf("conn %d: read %q, %v", i, b, err)
		}
		sc.Close()
		conn.Close()
	}
	cancel()
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v, want context.Canceled", err)
	}
	// Serve again, ended by Close this time.
	go func() { served <- s.Serve(context.Background()) }()
	waitFor(t, 5*time.Second, "Serve in progress", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.accepting
	})
	s.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v, want ErrServerClosed", err)
	}
}

func TestServeWithoutOnConnect(t *testing.T) {
	s := &DirectServer{Addr: "127.0.0.1:0"}
	defer s.Close()
	if err := s.Serve(context.Background()); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Serve: %v, want ErrInvalidConfig", err)
	}
}

func TestServerListenError(t *testing.T) {
	a := &DirectServer{Addr: "127.0.0.1:0"}
	if err := a.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b := &DirectServer{Addr: a.LocalAddr().String()}
	if err := b.Listen(context.Background()); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Listen on a used port: %v, want EADDRINUSE", err)
	}
}

func TestServeMaxConns(t *testing.T) {
	leakcheck.Check(t)
	// With MaxConns 2, a third connection is refused at once while two are
	// open; once one of them is closed, the next is served again.
	got := make(chan net.Conn, 8)
	s := &DirectServer{Addr: "127.0.0.1:0", MaxConns: 2, OnConnect: func(c net.Conn) { got <- c }}
	if err := s.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	served := make(chan error, 1)
	go func() { served <- s.Serve(context.Background()) }()
	dial := func() net.Conn {
		t.Helper()
		c, err := Dial(context.Background(), s.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var open []net.Conn
	for range 2 {
		dial()
		open = append(open, <-got)
	}
	// One attempt (Dial retries a reset): the reset comes during the
	// connect or at the first read.
	extra, err := net.Dial("tcp", s.LocalAddr().String())
	if err == nil {
		defer extra.Close()
		_ = extra.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = extra.Read(make([]byte, 1))
	}
	if err == nil || isTimeout(err) {
		t.Fatalf("the connection beyond MaxConns: %v; want it reset", err)
	}
	if r := s.Refused(); r != 1 {
		t.Errorf("Refused() = %d, want 1", r)
	}
	if len(got) != 0 {
		t.Fatal("OnConnect got the connection beyond MaxConns")
	}
	open[0].Close()
	dial()
	select {
	case c := <-got:
		c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("no connection served after one of MaxConns was closed")
	}
	open[1].Close()
	s.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}
