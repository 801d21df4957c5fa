// Package proctest runs programs for the tests that drive a built program
// as a process (the examples' arena and pong): it builds a Go package once,
// starts the binary with the test's cleanup to kill it, collects its
// standard output line by line and waits, with a deadline, for a line or
// for the exit.
//
// Only tests import it.
package proctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Build runs go build -o dir/name pkg, with env added to this process's
// environment (CGO_ENABLED=0, say), and returns the binary's path. Its
// error holds the build's output. A TestMain calls it once per test binary.
func Build(dir, name, pkg string, env ...string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s (%s): %w\n%s", pkg, strings.Join(env, " "), err, out)
	}
	return bin, nil
}

// Proc is a running program whose standard output is collected line by
// line.
type Proc struct {
	Name   string
	cmd    *exec.Cmd
	out    lineWriter
	stderr bytes.Buffer // written by exec's copier until done is closed
	done   chan struct{}
	err    error // Wait's error, set before done is closed
}

// Start starts bin with args, and env added to this process's environment.
// The test kills it at the end if it is still running, and logs its output
// if the test failed.
func Start(t testing.TB, name, bin string, env []string, args ...string) *Proc {
	t.Helper()
	p := &Proc{Name: name, done: make(chan struct{})}
	p.out.notify = make(chan struct{}, 1)
	p.cmd = exec.Command(bin, args...)
	if env != nil {
		p.cmd.Env = append(os.Environ(), env...)
	}
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		p.out.flush()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", p.Name, strings.Join(p.out.all(), "\n"), p.stderr.String())
		}
	})
	return p
}

// Find returns the first whole line printed so far that starts with
// prefix.
func (p *Proc) Find(prefix string) (string, bool) { return p.out.find(prefix) }

// Lines returns the whole lines printed so far.
func (p *Proc) Lines() []string {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return append([]string(nil), p.out.lines...)
}

// Line returns the first line that starts with prefix, waiting for it
// until timeout; it fails t if the program exits or the time passes
// without one.
func (p *Proc) Line(t testing.TB, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if l, ok := p.out.find(prefix); ok {
			return l
		}
		select {
		case <-p.out.notify:
		case <-p.done:
			if l, ok := p.out.find(prefix); ok {
				return l
			}
			t.Fatalf("%s exited (%v) without printing %q", p.Name, p.err, prefix)
		case <-deadline.C:
			t.Fatalf("%s printed no %q within %v", p.Name, prefix, timeout)
		}
	}
}

// Wait waits for the program to exit with status 0 within timeout,
// failing t otherwise.
func (p *Proc) Wait(t testing.TB, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("%s: %v", p.Name, p.err)
		}
	case <-time.After(timeout):
		t.Fatalf("%s still running after %v", p.Name, timeout)
	}
}

// lineWriter collects written bytes as lines.
type lineWriter struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	notify  chan struct{} // cap 1: a line arrived
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	w.mu.Unlock()
	select {
	case w.notify <- struct{}{}:
	default:
	}
	return len(b), nil
}

// flush makes a last line without its newline a line: the program exited.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.lines = append(w.lines, string(w.partial))
		w.partial = nil
	}
}

func (w *lineWriter) find(prefix string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.lines {
		if strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

func (w *lineWriter) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(append([]string(nil), w.lines...), string(w.partial))
}
