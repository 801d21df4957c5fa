package proctest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

var (
	headlessBin string // built with CGO_ENABLED=0: no Ebitengine window, no display needed
	windowBin   string // built with cgo; "" when it was not
	noWindow    string // why it was not built: cgo or the X11/GL dev packages are missing
	windowErr   string // the build failed although they are there
)

// x11Packages are the pkg-config names of the libraries Ebitengine's
// GLFW compiles against on Linux, and the Debian packages that have them.
var (
	x11Packages = []string{"gl", "x11", "xcursor", "xi", "xinerama", "xrandr", "xxf86vm"}
	x11Debian   = "gcc pkg-config libgl1-mesa-dev libxcursor-dev libxi-dev libxinerama-dev libxrandr-dev libxxf86vm-dev libasound2-dev"
)

// windowMissing says why a window build cannot work here ("" if it can).
func windowMissing() string {
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		return "cgo is disabled (CGO_ENABLED=0)"
	}
	cc := "gcc"
	if out, err := exec.Command("go", "env", "CC").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		cc = strings.Fields(string(out))[0]
	}
	if _, err := exec.LookPath(cc); err != nil {
		return "no C compiler " + cc + " for cgo (Debian: " + x11Debian + ")"
	}
	if _, err := exec.LookPath("pkg-config"); err != nil {
		return "no pkg-config (Debian: " + x11Debian + ")"
	}
	if out, err := exec.Command("pkg-config", append([]string{"--exists", "--print-errors"}, x11Packages...)...).CombinedOutput(); err != nil {
		return "X11/GL dev packages missing (Debian: " + x11Debian + "): " + lastLines(string(out), 2)
	}
	return ""
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "arena-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := func(out string, cgo string) (string, error) {
		cmd := exec.Command("go", "build", "-o", out, "..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	headlessBin = filepath.Join(dir, "arena-headless")
	if out, err := build(headlessBin, "0"); err != nil {
		fmt.Fprintf(os.Stderr, "go build (CGO_ENABLED=0): %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if noWindow = windowMissing(); noWindow == "" {
		if out, err := build(filepath.Join(dir, "arena"), "1"); err != nil {
			windowErr = fmt.Sprintf("%v\n%s", err, out)
		} else {
			windowBin = filepath.Join(dir, "arena")
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(leakcheck.Verify(code))
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], " | ")
}

// proc is a running arena whose stdout is collected line by line.
type proc struct {
	name   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr strings.Builder // written by exec's copier until done is closed
	change chan struct{}   // a line arrived (capacity 1)
	done   chan struct{}
	err    error // Wait's, set before done is closed
}

// start starts bin with args; the test kills it at the end if it is still
// running, and logs its output if the test failed.
func start(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, change: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.read(out)
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
			p.mu.Lock()
			t.Logf("%s stdout:\n%s\nstderr:\n%s", p.name, strings.Join(p.lines, "\n"), p.stderr.String())
			p.mu.Unlock()
		}
	})
	return p
}

func (p *proc) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		p.mu.Unlock()
		select {
		case p.change <- struct{}{}:
		default:
		}
	}
}

func (p *proc) find(prefix string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

// line returns the first line that starts with prefix, waiting for it
// until timeout.
func (p *proc) line(t *testing.T, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if l, ok := p.find(prefix); ok {
			return l
		}
		select {
		case <-p.change:
		case <-p.done:
			if l, ok := p.find(prefix); ok {
				return l
			}
			t.Fatalf("%s exited (%v) without printing %q", p.name, p.err, prefix)
		case <-deadline.C:
			t.Fatalf("%s printed no %q within %v", p.name, prefix, timeout)
		}
	}
}

// wait waits for the process to exit with status 0 within timeout.
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

// field returns the value of key=value in line.
func field(t *testing.T, line, key string) string {
	t.Helper()
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	t.Fatalf("no %s= in %q", key, line)
	return ""
}

// player is one "id@x,y" of a players= list.
type player struct {
	id   string
	x, y int
}

// parsePlayers reads the players of a line: "players=id@x,y id@x,y ..."
// runs to the end of the line.
func parsePlayers(t *testing.T, line string) []player {
	t.Helper()
	i := strings.LastIndex(line, " players=") // the status before it has a players=N
	if i < 0 {
		t.Fatalf("no players= in %q", line)
	}
	list := line[i+len(" players="):]
	var ps []player
	for _, f := range strings.Fields(list) {
		var p player
		id, xy, _ := strings.Cut(f, "@")
		if _, err := fmt.Sscanf(xy, "%d,%d", &p.x, &p.y); err != nil {
			t.Fatalf("player %q in %q: %v", f, line, err)
		}
		p.id = id
		ps = append(ps, p)
	}
	return ps
}

func ids(ps []player) []string {
	var s []string
	for _, p := range ps {
		s = append(s, p.id)
	}
	slices.Sort(s)
	return s
}

// gameArgs are the flags of a player of a test game of n on loopback, on
// a beacon port and an application id of the test's own.
func gameArgs(port, n int) []string {
	return []string{"-lo", "-port", fmt.Sprint(port), "-app", fmt.Sprintf("arena-proctest-%d", port),
		"-players", fmt.Sprint(n), "-timeout", "40s", "-linger", "3s"}
}

// Three headless processes on loopback form one game: each prints its
// id, then a world that holds all three players, each moved by its own
// keys (sent to the host as messages, back in the host's replicated
// world), all published by the same host, the lowest id.
func TestThreeHeadlessProcesses(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	var ps []*proc
	for i := range 3 {
		ps = append(ps, start(t, fmt.Sprint("player ", i), headlessBin, append([]string{"-headless"}, gameArgs(port, 3)...)...))
	}
	var me []string
	for _, p := range ps {
		me = append(me, strings.TrimPrefix(p.line(t, "me ", 10*time.Second), "me "))
	}
	slices.Sort(me)
	for _, p := range ps {
		seen := p.line(t, "seen ", 45*time.Second)
		if got := ids(parsePlayers(t, seen)); !slices.Equal(got, me) {
			t.Errorf("%s sees players %v, want %v", p.name, got, me)
		}
		if h := field(t, seen, "host"); h != me[0] {
			t.Errorf("%s: host %s, want the lowest id %s", p.name, h, me[0])
		}
	}
	for _, p := range ps {
		p.wait(t, 20*time.Second)
	}
}

// The command's flags: -h is documented and exits 0, a bad flag fails.
func TestFlags(t *testing.T) {
	out, err := exec.Command(headlessBin, "-h").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-headless") || !strings.Contains(string(out), "-players") {
		t.Errorf("-h: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"-players", "9"}, {"-screenshot", "x.png"}, {"-headless", "-players", "2", "-screenshot", "x.png"}, {"extra"}} {
		if out, err := exec.Command(headlessBin, args...).CombinedOutput(); err == nil {
			t.Errorf("%q: no error\n%s", args, out)
		}
	}
	// Alone, -players 2 is never reached: -timeout fails the run; -ticks ends it.
	port := fmt.Sprint(freeport.UDP(t))
	out, err = exec.Command(headlessBin, "-headless", "-lo", "-port", port, "-app", "arena-alone-"+port, "-players", "2", "-timeout", "500ms").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "2 players not reached in 500ms") {
		t.Errorf("-players 2 alone: %v\n%s", err, out)
	}
	out, err = exec.Command(headlessBin, "-headless", "-lo", "-port", port, "-app", "arena-alone-"+port, "-ticks", "5").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "final ") || !strings.Contains(string(out), "players=1 tick=5 ") {
		t.Errorf("-ticks 5 alone: %v\n%s", err, out)
	}
	out, err = exec.Command(headlessBin, "-lo", "-port", port).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "without cgo") {
		t.Errorf("a window from the CGO_ENABLED=0 build: %v\n%s", err, out)
	}
}
