package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/secure"
)

// shareBin is the program, built once by TestMain.
var shareBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cablecar-share-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shareBin = filepath.Join(dir, "share")
	build := exec.Command("go", "build", "-o", shareBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building share:", err)
	} else {
		code = leakcheck.Verify(m.Run())
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running share: its standard output kept whole, its standard
// error as lines.
type proc struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	done   chan struct{}
	err    error

	mu    sync.Mutex
	lines []string
	more  chan struct{}
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return startIn(t, nil, args...)
}

// startIn is start with in on the standard input (nil: none).
func startIn(t *testing.T, in []byte, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(shareBin, args...), done: make(chan struct{}), more: make(chan struct{}, 1)}
	p.cmd.Stdout = &p.stdout
	if in != nil {
		p.cmd.Stdin = bytes.NewReader(in)
	}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	errOut, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(errOut)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("share %v:\nstderr:\n%s\nstdout:\n%s", args, p.stderr(), p.stdout.String())
		}
	})
	return p
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// code waits for the "code: " line and returns the code.
func (p *proc) code(t *testing.T) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if c, ok := strings.CutPrefix(l, "code: "); ok {
				p.mu.Unlock()
				return c
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-p.done:
			t.Fatalf("share exited (%v) without a code", p.err)
		case <-deadline:
			t.Fatal("no code within 20s")
		}
	}
}

// wait waits for the exit and returns the exit status.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatal("share did not exit within 60s")
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

func loArgs(t *testing.T) []string {
	return []string{"-lo", "-port", strconv.Itoa(freeport.UDP(t)), "-interval", "100ms"}
}

func TestProcSendReceive(t *testing.T) {
	flags := loArgs(t)
	s := start(t, append(append([]string{"send"}, flags...), "some text")...)
	code := s.code(t)
	r := start(t, append(append([]string{"receive"}, flags...), code, "my reply")...)
	if st := r.wait(t); st != 0 {
		t.Fatalf("receive: exit %d", st)
	}
	if st := s.wait(t); st != 0 {
		t.Fatalf("send: exit %d", st)
	}
	if got := r.stdout.String(); got != "some text\n" {
		t.Errorf("receiver printed %q", got)
	}
	if got := s.stdout.String(); got != "my reply\n" {
		t.Errorf("sender printed %q", got)
	}
}

// TestProcFileAndStdin: the sender's blob from standard input, the
// receiver's from a file, bytes that are not text.
func TestProcFileAndStdin(t *testing.T) {
	flags := loArgs(t)
	blob := bytes.Repeat([]byte{0, 1, 2, 250, 255, '\n'}, 2000)
	reply := filepath.Join(t.TempDir(), "reply")
	if err := os.WriteFile(reply, []byte("from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sp := startIn(t, blob, append([]string{"send"}, flags...)...)
	code := sp.code(t)
	r := start(t, append(append([]string{"receive"}, flags...), "-file", reply, code)...)
	if st := r.wait(t); st != 0 {
		t.Fatalf("receive: exit %d", st)
	}
	if st := sp.wait(t); st != 0 {
		t.Fatalf("send: exit %d", st)
	}
	if !bytes.Equal(r.stdout.Bytes(), blob) {
		t.Errorf("receiver printed %d bytes, want the %d of the blob", r.stdout.Len(), len(blob))
	}
	if got := sp.stdout.String(); got != "from a file\n" {
		t.Errorf("sender printed %q", got)
	}
}

func TestProcWrongCode(t *testing.T) {
	flags := loArgs(t)
	s := start(t, append(append([]string{"send"}, flags...), "some text")...)
	code := s.code(t)
	// The same nameplate, other words.
	wrong := strings.SplitN(code, "-", 2)[0] + "-adroitness-adult"
	if wrong == code {
		wrong = strings.SplitN(code, "-", 2)[0] + "-aardvark-absurd"
	}
	r := start(t, append(append([]string{"receive"}, flags...), wrong, "reply")...)
	if st := r.wait(t); st != 1 {
		t.Errorf("receive: exit %d, want 1", st)
	}
	if st := s.wait(t); st != 1 {
		t.Errorf("send: exit %d, want 1", st)
	}
	for name, p := range map[string]*proc{"receive": r, "send": s} {
		if !strings.Contains(p.stderr(), secure.ErrWrongCode.Error()) {
			t.Errorf("%s does not say %q:\n%s", name, secure.ErrWrongCode, p.stderr())
		}
		if p.stdout.Len() != 0 {
			t.Errorf("%s printed %q", name, p.stdout.String())
		}
	}
}

func TestProcReceiveTimeout(t *testing.T) {
	r := start(t, append(append([]string{"receive"}, loArgs(t)...), "-timeout", "500ms", "7-guitarist-revenge")...)
	if st := r.wait(t); st != 1 || !strings.Contains(r.stderr(), "timed out") {
		t.Errorf("exit %d, stderr %q: want 1 and a timeout", st, r.stderr())
	}
}

// TestProcResumeAfterRestart: a sender killed (SIGKILL) after printing its
// code is started again with the same -state; it shows the same code,
// and the receiver that has it gets the blob. The state is private and
// is removed once used.
func TestProcResumeAfterRestart(t *testing.T) {
	flags := loArgs(t)
	state := filepath.Join(t.TempDir(), "offer.json")
	s1 := start(t, append(append([]string{"send", "-state", state}, flags...), "offered once")...)
	code := s1.code(t)
	fi, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	s1.cmd.Process.Kill()
	s1.wait(t)

	s2 := start(t, append([]string{"send", "-state", state}, flags...)...)
	if got := s2.code(t); got != code {
		t.Fatalf("resumed with code %s, want %s", got, code)
	}
	if !strings.Contains(s2.stderr(), "resumed") {
		t.Errorf("the resumed sender does not say so:\n%s", s2.stderr())
	}
	r := start(t, append(append([]string{"receive"}, flags...), code, "got it")...)
	if st := r.wait(t); st != 0 {
		t.Fatalf("receive: exit %d", st)
	}
	if st := s2.wait(t); st != 0 {
		t.Fatalf("send: exit %d", st)
	}
	if r.stdout.String() != "offered once\n" || s2.stdout.String() != "got it\n" {
		t.Errorf("receiver printed %q, sender %q", r.stdout.String(), s2.stdout.String())
	}
	if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file still there after the exchange: %v", err)
	}
}

func TestProcUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		exit int
		want string
	}{
		{[]string{"-h"}, 0, "-timeout D"},
		{nil, 2, "Usage"},
		{[]string{"send", "-nope"}, 2, "not defined"},
		{[]string{"receive"}, 2, "want CODE"},
		{[]string{"send", "a", "b"}, 2, "one TEXT"},
		{[]string{"receive", "-lo", "7-guitarist"}, 1, "bad code"},
		{[]string{"send", "-max", "10", "-lo", "-port", "1", "01234567890"}, 1, "limit is 10"},
	} {
		p := start(t, c.args...)
		if st := p.wait(t); st != c.exit || !strings.Contains(p.stderr(), c.want) {
			t.Errorf("share %v: exit %d, stderr:\n%s\nwant exit %d and %q", c.args, st, p.stderr(), c.exit, c.want)
		}
	}
}
