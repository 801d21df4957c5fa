// Package leakcheck finds goroutines left running by tests.
//
// It is a small stand-in for go.uber.org/goleak (not a dependency of this
// module): it snapshots every goroutine's stack and reports those that are
// neither the caller nor part of the runtime or the testing framework.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ignored are stack fragments of goroutines that are not leaks.
var ignored = []string{
	"testing.(*M).",
	"testing.tRunner(",
	"testing.runTests",
	"testing.(*T).Run(",
	"testing.(*F).Fuzz",
	"testing.runFuzzTests",
	"testing.runFuzzing",
	"os/signal.signal_recv",
	"os/signal.loop",
	"runtime.ensureSigM",
	"runtime/trace.Start",
	"created by runtime.gc",
	"runtime.MHeap_Scavenger",
	"testing/internal/testdeps",
}

// Leaked returns the stacks of goroutines other than the caller's that
// match every filter in match (all of them when match is empty) and are
// not runtime or testing goroutines.
func Leaked(match ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	stacks := strings.Split(string(buf), "\n\n")
	var out []string
	for i, s := range stacks {
		if i == 0 || strings.TrimSpace(s) == "" { // the caller
			continue
		}
		if isIgnored(s) {
			continue
		}
		ok := true
		for _, m := range match {
			if !strings.Contains(s, m) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

func isIgnored(stack string) bool {
	for _, ig := range ignored {
		if strings.Contains(stack, ig) {
			return true
		}
	}
	return false
}

// Wait polls Leaked until it is empty or timeout passes, and returns the
// last result.
func Wait(timeout time.Duration, match ...string) []string {
	deadline := time.Now().Add(timeout)
	for {
		l := Leaked(match...)
		if len(l) == 0 || time.Now().After(deadline) {
			return l
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Check fails t when goroutines matching match are still running after a
// grace period of a few seconds.
func Check(t testing.TB, match ...string) {
	t.Helper()
	if l := Wait(5*time.Second, match...); len(l) > 0 {
		t.Errorf("leakcheck: %d goroutine(s) left running:\n\n%s", len(l), strings.Join(l, "\n\n"))
	}
}

// Main runs the tests of m, then fails the run (exit code 1) when any
// goroutine is left behind. Use it as `func TestMain(m *testing.M) {
// leakcheck.Main(m) }`.
func Main(m *testing.M) {
	os.Exit(Verify(m.Run()))
}

// Verify is Main's check for a TestMain that has more to do around m.Run:
// it returns code (m.Run's exit code), or 1 when code is 0 and goroutines
// are still running after a grace period of a few seconds (their stacks are
// written to stderr).
func Verify(code int) int {
	if code != 0 {
		return code
	}
	if l := Wait(5 * time.Second); len(l) > 0 {
		fmt.Fprintf(os.Stderr, "leakcheck: %d goroutine(s) left running after the tests:\n\n%s\n", len(l), strings.Join(l, "\n\n"))
		return 1
	}
	return 0
}
