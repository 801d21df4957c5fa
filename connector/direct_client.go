package connector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"syscall"
	"time"
)

// Defaults of DirectClient.
const (
	// DefaultDialTimeout is DirectClient.Timeout when the field is zero.
	DefaultDialTimeout = 10 * time.Second
	// DefaultRetryInterval is DirectClient.RetryInterval when the field is zero.
	DefaultRetryInterval = 100 * time.Millisecond
)

// DirectClient dials a peer at a known address ("host:port"; host may be a
// name, an IPv4 or an IPv6 address). The zero value is ready to use, and a
// nil *DirectClient behaves like the zero value. A DirectClient is never
// modified by Dial and may be used by several goroutines at once.
type DirectClient struct {
	// Timeout bounds the whole Dial, retries included.
	// Zero means DefaultDialTimeout (10 s); negative means no limit other
	// than the context.
	Timeout time.Duration

	// RetryInterval is the pause between two attempts after a refused
	// connection (nobody listening yet). Zero means DefaultRetryInterval
	// (100 ms).
	RetryInterval time.Duration

	// Logger receives one debug record per failed attempt. Nil means silent.
	Logger *slog.Logger
}

// Dial connects to addr with the zero DirectClient: 10 s timeout, refused
// connections retried every 100 ms.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	var c DirectClient
	return c.Dial(ctx, addr)
}

// Dial connects to addr over TCP and returns the connection. A refused or
// reset connection (the peer is not listening yet) is retried every
// RetryInterval until Timeout passes or ctx ends; any other error (an
// unknown host, an unreachable network) is returned at once.
//
// On timeout the error wraps ErrTimeout and, when an attempt was refused,
// the last refusal (never a bare i/o timeout); when ctx
// ends first it wraps ctx's error (context.Canceled or
// context.DeadlineExceeded). Dial starts no goroutine that outlives it.
func (c *DirectClient) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var cfg DirectClient
	if c != nil {
		cfg = *c
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultDialTimeout
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.Timeout, ErrTimeout)
		defer cancel()
	}

	var d net.Dialer
	var timer *time.Timer
	var refused error // the last "nobody listening" error, for the timeout error
	for attempt := 1; ; attempt++ {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() == nil && isTimeout(err) {
			// The dialer's deadline is ctx's deadline, and the runtime's
			// timer may fire before ctx's own: ctx ends within moments.
			// Wait for it so the error names the cause (ErrTimeout or the
			// parent's deadline), not a bare i/o timeout.
			if _, ok := ctx.Deadline(); ok {
				<-ctx.Done()
			}
		}
		if ctx.Err() != nil {
			return nil, dialCtxError(ctx, addr, cmp.Or(refused, err))
		}
		if !isRetryable(err) {
			return nil, fmt.Errorf("connector: dial %s: %w", addr, err)
		}
		refused = err
		if cfg.Logger != nil {
			cfg.Logger.Debug("connector: dial failed, retrying", "addr", addr, "attempt", attempt, "err", err)
		}
		if timer == nil {
			timer = time.NewTimer(cfg.RetryInterval)
			defer timer.Stop()
		} else {
			timer.Reset(cfg.RetryInterval)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			return nil, dialCtxError(ctx, addr, err)
		}
	}
}

// dialCtxError builds the error of a Dial ended by its context: the cause
// (ErrTimeout for our own timeout, the parent's error otherwise) and the
// last dial error (the last refusal when there was one), unless that is
// only the context's own error again or a deadline error.
func dialCtxError(ctx context.Context, addr string, last error) error {
	cause := context.Cause(ctx)
	if errors.Is(last, cause) || errors.Is(last, ctx.Err()) || isTimeout(last) {
		return fmt.Errorf("connector: dial %s: %w", addr, cause)
	}
	return fmt.Errorf("connector: dial %s: %w (last error: %w)", addr, cause, last)
}

// isTimeout reports whether err is a deadline error (an i/o timeout).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isRetryable reports whether a dial error means "nobody listening yet".
func isRetryable(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
