package tests

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// binDir holds the programs built by TestMain.
var binDir string

// programs maps a binary name to its package path, built once by TestMain
// (this module's main package: built with its go.mod, with or without
// go.work).
var programs = map[string]string{
	"cpumon": "github.com/cablecar-go/cablecar/cpumon",
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cpumon-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := build()
	if code == 0 {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(leakcheck.Verify(code))
}

func build() int {
	args := []string{"build", "-o", binDir + string(filepath.Separator)}
	for _, pkg := range programs {
		args = append(args, pkg)
	}
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the programs:", err)
		return 1
	}
	return 0
}

// bin returns the path of a program built by TestMain.
func bin(name string) string { return filepath.Join(binDir, name) }

// proc is a running program whose output lines are collected.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited and output is read
	err  error         // exit error, valid after done

	mu    sync.Mutex
	lines []string
	more  chan struct{} // signalled on every new line
}

// start runs a program (a path or a name in PATH) with args; its stdout and
// stderr are collected. The process is killed when the test ends.
func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	return startCmd(t, exec.Command(name, args...))
}

func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: filepath.Base(cmd.Path), cmd: cmd, done: make(chan struct{}), more: make(chan struct{}, 1)}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if cmd.SysProcAttr == nil {
		// The program dies with the test binary, even one killed by -timeout.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			p.signal()
		}
		p.err = cmd.Wait()
		close(p.done)
		p.signal()
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("output of %s %v:\n%s", p.name, cmd.Args[1:], p.output())
		}
	})
	return p
}

func (p *proc) signal() {
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// kill ends the process (SIGKILL) and waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// interrupt sends SIGINT, as Ctrl-C would.
func (p *proc) interrupt() { _ = p.cmd.Process.Signal(os.Interrupt) }

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLine waits until a line satisfies match and returns it.
func (p *proc) waitLine(t *testing.T, timeout time.Duration, what string, match func(string) bool) string {
	t.Helper()
	deadline := time.After(timeout)
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
				t.Fatalf("%s exited (%v) before printing %s", p.name, p.err, what)
			}
		case <-deadline:
			t.Fatalf("%s printed no %s within %v", p.name, what, timeout)
		}
	}
}

// waitPrefix waits for a line that starts with prefix.
func (p *proc) waitPrefix(t *testing.T, timeout time.Duration, prefix string) string {
	t.Helper()
	return p.waitLine(t, timeout, fmt.Sprintf("line %q", prefix), func(l string) bool { return strings.HasPrefix(l, prefix) })
}

// wait waits for the process to exit and returns its exit error.
func (p *proc) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %v", p.name, timeout)
		return nil
	}
}
