package proctest

import (
	"errors"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func needSh(t *testing.T) string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	return sh
}

// TestRunCollectsStdoutAndStderr: a program run by Run has its standard
// output and error in its lines, the last one without its newline too.
func TestRunCollectsStdoutAndStderr(t *testing.T) {
	p := Run(t, needSh(t), "-c", "echo one; echo two >&2; printf three")
	if err := p.WaitExit(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Lines(), []string{"one", "two", "three"}; !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	if l := p.Line(t, "tw", time.Second); l != "two" {
		t.Errorf("Line(tw) = %q", l)
	}
}

// TestStartKeepsStderrApart: Start's lines are the standard output only.
func TestStartKeepsStderrApart(t *testing.T) {
	p := Start(t, "sh", needSh(t), []string{"PROCTEST_X=x"}, "-c", `echo "out $PROCTEST_X"; echo err >&2`)
	p.Wait(t, 10*time.Second)
	if got, want := p.Lines(), []string{"out x"}; !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	if _, ok := p.Find("err"); ok {
		t.Error("stderr line among the lines")
	}
}

// TestWaitLineMatchesEachLineOnce: WaitLine goes on from the lines it has
// seen, and the exit error and a killed program's end are reported.
func TestWaitLineMatchesEachLineOnce(t *testing.T) {
	p := Run(t, needSh(t), "-c", "echo a; echo b; echo c; exit 3")
	calls := 0
	if l := p.WaitLine(t, 10*time.Second, "c", func(l string) bool { calls++; return l == "c" }); l != "c" || calls != 3 {
		t.Errorf("WaitLine = %q after %d calls, want c after 3", l, calls)
	}
	var ee *exec.ExitError
	if err := p.WaitExit(t, 10*time.Second); !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("exit error %v, want status 3", err)
	}

	q := Run(t, needSh(t), "-c", "echo ready; exec sleep 60")
	q.Line(t, "ready", 10*time.Second)
	q.Kill()
	if err := q.WaitExit(t, time.Second); err == nil {
		t.Error("a killed program exited with status 0")
	}
}
