package main

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

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// pongBin is the pong program, built once by TestMain without cgo.
var pongBin string

func TestMain(m *testing.M) {
	if bin := os.Getenv("PONG_TEST_BIN"); bin != "" { // a test run by a test
		pongBin = bin
		os.Exit(leakcheck.Verify(m.Run()))
	}
	dir, err := os.MkdirTemp("", "pong-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pongBin = filepath.Join(dir, "pong")
	build := exec.Command("go", "build", "-o", pongBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // purego needs no cgo
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(leakcheck.Verify(code))
}

// proc is a running pong process whose output is collected line by line.
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    lineWriter
	stderr bytes.Buffer // written by exec's copier until done is closed
	done   chan struct{}
	err    error // Wait's error, set before done is closed
}

// startPong starts pong with args and extra environment variables. The test
// kills it at the end if it is still running.
func startPong(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, done: make(chan struct{})}
	p.out.notify = make(chan struct{}, 1)
	p.cmd = exec.Command(pongBin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
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
			t.Logf("%s output:\n%s\nstderr:\n%s", p.name, strings.Join(p.out.all(), "\n"), p.stderr.String())
		}
	})
	return p
}

// waitLine returns the first output line that starts with prefix, waiting
// for it until timeout.
func (p *proc) waitLine(t *testing.T, prefix string, timeout time.Duration) string {
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
			t.Fatalf("%s exited (%v) without printing %q", p.name, p.err, prefix)
		case <-deadline.C:
			t.Fatalf("%s printed no %q within %v", p.name, prefix, timeout)
		}
	}
}

// wait waits for the process to exit successfully within timeout.
func (p *proc) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("%s: %v", p.name, p.err)
		}
	case <-time.After(timeout):
		t.Fatalf("%s still running after %v", p.name, timeout)
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
