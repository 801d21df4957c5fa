//go:build linux

package testpeer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/cablecar-go/cablecar/internal/netns"
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

// Confined must refuse in the starting test's own namespace and where the
// parent's namespace is not known: only then can a child send on a LAN.
func TestConfined(t *testing.T) {
	here, err := netns.Current()
	if err != nil {
		t.Skip("no network namespace here:", err)
	}
	t.Setenv(parentNSEnv, "")
	if code := Confined("test"); code != 3 {
		t.Errorf("without the parent's namespace: %d, want 3", code)
	}
	t.Setenv(parentNSEnv, here)
	if code := Confined("test"); code != 3 {
		t.Errorf("in the parent's namespace: %d, want 3", code)
	}
	t.Setenv(parentNSEnv, here+"-elsewhere")
	if code := Confined("test"); code != 0 {
		t.Errorf("in another namespace than the parent's: %d, want 0", code)
	}
}
