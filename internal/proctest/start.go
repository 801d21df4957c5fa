package proctest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Start starts bin with args, and env added to this process's environment;
// its standard output is collected line by line, its standard error kept
// apart. The test kills it at the end if it is still running, and logs
// its output if the test failed.
func Start(t testing.TB, name, bin string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	return start(t, name, cmd, stderr)
}

// StartCmd starts cmd (not started yet), named after its program; its
// standard output and error are collected together line by line. The test
// kills it at the end if it is still running, and logs its output if the
// test failed.
func StartCmd(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	return start(t, filepath.Base(cmd.Path), cmd, nil)
}

// Run starts the program name (a path or a name in PATH) with args, as
// StartCmd does.
func Run(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	return StartCmd(t, exec.Command(name, args...))
}

func start(t testing.TB, name string, cmd *exec.Cmd, stderr *bytes.Buffer) *Proc {
	t.Helper()
	p := &Proc{Name: name, Cmd: cmd, stderr: stderr, done: make(chan struct{}), more: make(chan struct{}, 1)}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if stderr == nil {
		cmd.Stderr = cmd.Stdout
	}
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
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
		p.Kill()
		if !t.Failed() {
			return
		}
		if p.stderr != nil {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", p.Name, p.Output(), p.stderr.String())
		} else {
			t.Logf("output of %s %v:\n%s", p.Name, cmd.Args[1:], p.Output())
		}
	})
	return p
}
