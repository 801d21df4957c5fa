//go:build linux

package netns

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is a child process that talks in lines: the test writes commands to
// its stdin and waits for lines on its stdout.
type Proc struct {
	t     testing.TB
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // stdout reader finished
	exit  chan struct{} // process waited for

	mu    sync.Mutex
	lines []string
	err   error
}

// StartProc starts cmd and collects its stdout lines (stderr goes to the
// test log). The process is killed and waited for by t.Cleanup.
func StartProc(t testing.TB, name string, cmd *exec.Cmd) *Proc {
	t.Helper()
	p := &Proc{t: t, name: name, cmd: cmd, done: make(chan struct{}), exit: make(chan struct{})}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = testWriter{t, name}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
	}()
	go func() {
		<-p.done
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.exit)
	}()
	t.Cleanup(func() {
		p.Kill()
		<-p.exit
	})
	return p
}

type testWriter struct {
	t    testing.TB
	name string
}

func (w testWriter) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w.t.Logf("%s stderr: %s", w.name, l)
	}
	return len(b), nil
}

// Lines returns the lines printed so far.
func (p *Proc) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Count returns how many lines so far start with prefix.
func (p *Proc) Count(prefix string) int {
	n := 0
	for _, l := range p.Lines() {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// WaitLine waits until a line starting with prefix has been printed, and
// returns the first such line. It fails the test after timeout, or when the
// process ends without printing it.
func (p *Proc) WaitLine(prefix string, timeout time.Duration) string {
	p.t.Helper()
	return p.WaitCount(prefix, 1, timeout)[0]
}

// WaitCount waits until n lines starting with prefix have been printed and
// returns them.
func (p *Proc) WaitCount(prefix string, n int, timeout time.Duration) []string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var got []string
		for _, l := range p.Lines() {
			if strings.HasPrefix(l, prefix) {
				got = append(got, l)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-p.exit:
			p.t.Fatalf("%s exited (%v) before printing %d line(s) %q; output:\n%s", p.name, p.err, n, prefix, strings.Join(p.Lines(), "\n"))
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: no %d line(s) %q after %v; output:\n%s", p.name, n, prefix, timeout, strings.Join(p.Lines(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Send writes one command line to the process's stdin.
func (p *Proc) Send(line string) {
	p.t.Helper()
	if _, err := fmt.Fprintln(p.stdin, line); err != nil {
		p.t.Errorf("%s: send %q: %v", p.name, line, err)
	}
}

// CloseStdin closes the process's stdin (children treat it as "stop").
func (p *Proc) CloseStdin() { p.stdin.Close() }

// Kill sends SIGKILL (a crash: no goodbye, no close).
func (p *Proc) Kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// Wait waits for the process to end and returns its exit error.
func (p *Proc) Wait(timeout time.Duration) error {
	select {
	case <-p.exit:
	case <-time.After(timeout):
		p.Kill()
		<-p.exit
		return fmt.Errorf("%s: still running after %v, killed", p.name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
