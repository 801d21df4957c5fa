package proctest

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/proctest"
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
	if headlessBin, err = proctest.Build(dir, "arena-headless", "..", "CGO_ENABLED=0"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if noWindow = windowMissing(); noWindow == "" {
		if windowBin, err = proctest.Build(dir, "arena", "..", "CGO_ENABLED=1"); err != nil {
			windowErr = err.Error()
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
type proc = proctest.Proc

// start starts bin with args; the test kills it at the end if it is still
// running, and logs its output if the test failed.
func start(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	return proctest.Start(t, name, bin, nil, args...)
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
		me = append(me, strings.TrimPrefix(p.Line(t, "me ", 10*time.Second), "me "))
	}
	slices.Sort(me)
	for _, p := range ps {
		seen := p.Line(t, "seen ", 45*time.Second)
		if got := ids(parsePlayers(t, seen)); !slices.Equal(got, me) {
			t.Errorf("%s sees players %v, want %v", p.Name, got, me)
		}
		if h := field(t, seen, "host"); h != me[0] {
			t.Errorf("%s: host %s, want the lowest id %s", p.Name, h, me[0])
		}
	}
	for _, p := range ps {
		p.Wait(t, 20*time.Second)
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
