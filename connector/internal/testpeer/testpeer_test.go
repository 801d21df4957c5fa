//go:build linux

package testpeer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
)

func TestReasonsWord(t *testing.T) {
	left, timeout, replaced, stopped := errors.New("left"), errors.New("timeout"), errors.New("replaced"), errors.New("stopped")
	r := Reasons{Left: left, Timeout: timeout, Replaced: replaced, Stopped: stopped}
	for _, c := range []struct {
		err  error
		want string
	}{
		{io.EOF, "eof"},
		{fmt.Errorf("read: %w", left), "left"},
		{errors.Join(timeout, errors.New("etimedout")), "timeout"},
		{replaced, "replaced"},
		{stopped, "stopped"},
		{net.ErrClosed, "closed"},
		{errors.Join(io.EOF, stopped), "eof"}, // io.EOF is looked for first
		{errors.New("reset by peer"), "other:reset_by_peer"},
	} {
		if got := r.Word(c.err); got != c.want {
			t.Errorf("Word(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
