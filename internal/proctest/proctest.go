// Package proctest runs programs for the tests that drive a built program
// as a process (tests/, cpumon/tests, the examples' arena and pong): it
// builds Go packages once, starts a binary with the test's cleanup to kill
// it, collects its output line by line and waits, with a deadline, for a
// line or for the exit.
//
// Only tests import it.
package proctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proc is a running program whose output is collected line by line.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	// stderr keeps the standard error of a program started by Start;
	// nil when it goes with the standard output (StartCmd). Written by
	// exec's copier until done is closed.
	stderr *bytes.Buffer
	done   chan struct{} // closed when the program has exited and its output is read
	err    error         // Wait's error, set before done is closed

	mu    sync.Mutex
	lines []string
	more  chan struct{} // cap 1: a line arrived, or the program exited
}

func (p *Proc) signal() {
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// Kill ends the program (SIGKILL) and waits for it.
func (p *Proc) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.Cmd.Process.Kill()
	<-p.done
}

// Interrupt sends SIGINT, as Ctrl-C would.
func (p *Proc) Interrupt() { _ = p.Cmd.Process.Signal(os.Interrupt) }

// Lines returns the whole lines printed so far.
func (p *Proc) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Output returns the lines printed so far, joined by newlines.
func (p *Proc) Output() string { return strings.Join(p.Lines(), "\n") }

// Find returns the first whole line printed so far that starts with
// prefix.
func (p *Proc) Find(prefix string) (string, bool) {
	for _, l := range p.Lines() {
		if strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

// WaitLine returns the first line that satisfies match, waiting for it
// until timeout; it fails t, saying it waited for what, if the program
// exits or the time passes without one. Each line is matched once, and
// without a lock held: match may look at p's lines.
func (p *Proc) WaitLine(t testing.TB, timeout time.Duration, what string, match func(string) bool) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		p.mu.Lock()
		lines := p.lines[seen:]
		seen = len(p.lines)
		p.mu.Unlock()
		for _, l := range lines {
			if match(l) {
				return l
			}
		}
		select {
		case <-p.more:
		case <-p.done:
			p.mu.Lock()
			n := len(p.lines)
			p.mu.Unlock()
			if n == seen {
				t.Fatalf("%s exited (%v) before printing %s", p.Name, p.err, what)
			}
		case <-deadline.C:
			t.Fatalf("%s printed no %s within %v", p.Name, what, timeout)
		}
	}
}

// Line returns the first line that starts with prefix, waiting for it
// until timeout (see WaitLine).
func (p *Proc) Line(t testing.TB, prefix string, timeout time.Duration) string {
	t.Helper()
	return p.WaitLine(t, timeout, fmt.Sprintf("line %q", prefix), func(l string) bool { return strings.HasPrefix(l, prefix) })
}

// WaitExit waits for the program to exit within timeout, failing t
// otherwise, and returns its exit error.
func (p *Proc) WaitExit(t testing.TB, timeout time.Duration) error {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case <-p.done:
		return p.err
	case <-deadline.C:
		t.Fatalf("%s still running after %v", p.Name, timeout)
		return nil
	}
}

// Wait waits for the program to exit with status 0 within timeout,
// failing t otherwise.
func (p *Proc) Wait(t testing.TB, timeout time.Duration) {
	t.Helper()
	if err := p.WaitExit(t, timeout); err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
}

// NeedPython returns the python3 in PATH; the test skips without one.
func NeedPython(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the cross-language tests need it")
	}
	return py
}
