package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultServerAddr is DirectServer.Addr when the field is empty:
// cable_car's default TCP port on every interface.
const DefaultServerAddr = ":8223"

// DefaultServerMaxConns is DirectServer.MaxConns when the field is zero.
const DefaultServerMaxConns = 128

// DirectServer accepts TCP connections from peers that know its address.
// Set the exported fields, then call Listen (optional: Accept and Serve
// listen on first use), then Accept for one connection at a time or Serve to
// hand every connection to OnConnect. The zero value listens on
// DefaultServerAddr.
//
// A DirectServer starts no goroutine of its own; Accept and Serve run on the
// caller's goroutine. It must not be copied after first use. The exported
// fields must not be changed after Listen.
type DirectServer struct {
	// Addr is the address to listen on, "host:port". Host may be empty (every
	// interface), a name or an address; port 0 picks a free port (see
	// LocalAddr). Empty means DefaultServerAddr (":8223").
	Addr string

	// Timeout bounds each Accept call. Zero or negative means no limit
	// other than the context. Serve ignores it.
	Timeout time.Duration

	// OnConnect receives each connection accepted by Serve. It is called on
	// the goroutine that runs Serve, one connection at a time, never with a
	// lock held; the connection belongs to it. It should return quickly
	// (start a goroutine for long work), as no connection is accepted while
	// it runs. Serve requires it; Accept does not use it.
	OnConnect func(net.Conn)

	// MaxConns bounds the connections handed to OnConnect by Serve that are
	// still open (not yet closed by whoever owns them), so that a flood of
	// connections cannot take the memory of a Messenger each. Beyond it a
	// new connection is closed at once (the peer sees a reset), without
	// reaching OnConnect; once one is closed, connections are handed out
	// again. Zero means DefaultServerMaxConns (128); negative means no
	// limit. Connections returned by Accept are not counted.
	MaxConns int

	// Logger receives a debug record per accepted or refused connection and
	// per transient accept error. Nil means silent.
	Logger *slog.Logger

	mu        sync.Mutex
	ln        *net.TCPListener
	closed    bool
	accepting bool
	refused   atomic.Uint64
}

// Listen binds the listening socket. ctx bounds the name resolution of
// Addr. Calling it again after success does nothing.
func (s *DirectServer) Listen(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listenLocked(ctx)
}

func (s *DirectServer) listenLocked(ctx context.Context) error {
	if s.closed {
		return ErrServerClosed
	}
	if s.ln != nil {
		return nil
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultServerAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("connector: listen %s: %w", addr, err)
	}
	s.ln = ln.(*net.TCPListener)
	return nil
}

// LocalAddr returns the address the server listens on, or nil before
// Listen.
func (s *DirectServer) LocalAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// begin reserves the listener for one Accept or Serve call.
func (s *DirectServer) begin(ctx context.Context) (*net.TCPListener, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.listenLocked(ctx); err != nil {
		return nil, err
	}
	if s.accepting {
		return nil, ErrBusy
	}
	s.accepting = true
	// A deadline left by an earlier interrupted call must not fire now.
	_ = s.ln.SetDeadline(time.Time{})
	return s.ln, nil
}

func (s *DirectServer) end() {
	s.mu.Lock()
	s.accepting = false
	s.mu.Unlock()
}

// interruptOn makes ln's pending Accept return when ctx ends. The returned
// function undoes it and waits until the interruption, if it started, has
// finished, so no goroutine outlives the caller.
func interruptOn(ctx context.Context, ln *net.TCPListener) (stop func()) {
	fired := make(chan struct{})
	stopFunc := context.AfterFunc(ctx, func() {
		_ = ln.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	return func() {
		if !stopFunc() {
			<-fired
		}
	}
}

// Accept waits for one connection and returns it. It listens first if
// Listen was not called. It returns when a peer connects, when Timeout
// passes (error wrapping ErrTimeout), when ctx ends (wrapping ctx's error)
// or when Close is called (ErrServerClosed). Accept may be called again for
// the next connection, but not concurrently with another Accept or Serve
// (ErrBusy).
func (s *DirectServer) Accept(ctx context.Context) (net.Conn, error) {
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, s.Timeout, ErrTimeout)
		defer cancel()
	}
	ln, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer s.end()
	stop := interruptOn(ctx, ln)
	conn, err := ln.Accept()
	stop()
	if err == nil {
		if s.Logger != nil {
			s.Logger.Debug("connector: accepted", "remote", conn.RemoteAddr())
		}
		return conn, nil
	}
	return nil, s.acceptError(ctx, err)
}

func (s *DirectServer) acceptError(ctx context.Context, err error) error {
	if errors.Is(err, net.ErrClosed) {
		return ErrServerClosed
	}
	if ctx.Err() != nil {
		return fmt.Errorf("connector: accept: %w", context.Cause(ctx))
	}
	return fmt.Errorf("connector: accept: %w", err)
}

// Serve accepts connections until ctx ends or Close is called and hands
// each one to OnConnect (see there). It listens first if Listen was not
// called. It returns ErrServerClosed after Close, or an error wrapping ctx's
// error. Transient accept errors (too many open files) are logged and
// retried after a short pause.
func (s *DirectServer) Serve(ctx context.Context) error {
	if s.OnConnect == nil {
		return fmt.Errorf("%w: DirectServer.OnConnect is nil", ErrInvalidConfig)
	}
	ln, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.end()
	stop := interruptOn(ctx, ln)
	defer stop()

	limit := s.MaxConns
	if limit == 0 {
		limit = DefaultServerMaxConns
	}
	var live []*net.TCPConn // handed out, maybe open
	var pause time.Duration
	for {
		conn, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return s.acceptError(ctx, err)
			}
			// Transient (EMFILE, ECONNABORTED, ...): back off like net/http.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			if s.Logger != nil {
				s.Logger.Warn("connector: accept error, retrying", "err", err, "pause", pause)
			}
			t := time.NewTimer(pause)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return s.acceptError(ctx, err)
			}
			continue
		}
		pause = 0
		if limit > 0 {
			if len(live) >= limit {
				live = slices.DeleteFunc(live, isClosed)
			}
			if len(live) >= limit {
				s.refused.Add(1)
				if s.Logger != nil {
					s.Logger.Debug("connector: MaxConns connections open, refusing", "remote", conn.RemoteAddr(), "max", limit)
				}
				_ = conn.SetLinger(0) // a reset: nothing is kept for it
				conn.Close()
				continue
			}
			live = append(live, conn)
		}
		if s.Logger != nil {
			s.Logger.Debug("connector: accepted", "remote", conn.RemoteAddr())
		}
		s.OnConnect(conn)
	}
}

// Refused returns how many connections Serve has refused because MaxConns
// connections were open.
func (s *DirectServer) Refused() uint64 { return s.refused.Load() }

// isClosed reports whether conn has been closed (its descriptor released).
func isClosed(conn *net.TCPConn) bool {
	rc, err := conn.SyscallConn()
	if err != nil {
		return true
	}
	return rc.Control(func(uintptr) {}) != nil
}

// Close stops listening: Accept and Serve calls in progress return
// ErrServerClosed, later ones too. Connections already returned are not
// touched. Close is idempotent; since the server owns no goroutine it
// returns at once.
func (s *DirectServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.ln != nil {
		return s.ln.Close()
	}
	return nil
}
