// Package leakcheck is the tests' goroutine-leak check: go.uber.org/goleak
// (which knows the runtime's and the testing framework's own goroutines)
// with a grace period of a few seconds, since some goroutines end a moment
// after the Close that stopped them (hashicorp/mdns's Shutdown does not
// wait for its own).
package leakcheck

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// grace is how long goroutines may take to end before they count as
// leaked.
const grace = 5 * time.Second

// Find returns nil once no goroutine other than the caller's and those of
// the runtime and the testing framework is running, or goleak's report of
// the ones still running after the grace period.
func Find() error { return find(grace) }

func find(grace time.Duration) error {
	deadline := time.Now().Add(grace)
	for {
		err := goleak.Find() // retries by itself for a short while
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
}

// Check fails t when goroutines are still running after the test and
// all of its cleanups have ended (and the grace period has passed). Call
// it first thing in a test that is not run in parallel with others: it
// registers the check as the test's first cleanup, which runs last.
func Check(t testing.TB) {
	t.Helper()
	t.Cleanup(func() {
		if err := Find(); err != nil {
			t.Errorf("leakcheck: %v", err)
		}
	})
}

// Main runs the tests of m, then fails the run (exit code 1) when any
// goroutine is left behind. Use it as `func TestMain(m *testing.M) {
// leakcheck.Main(m) }`.
func Main(m *testing.M) {
	os.Exit(Verify(m.Run()))
}

// Verify is Main's check for a TestMain that has more to do around m.Run:
// it returns code (m.Run's exit code), or 1 when code is 0 and goroutines
// are still running after the grace period (goleak's report goes to
// stderr).
func Verify(code int) int {
	if code != 0 {
		return code
	}
	if err := Find(); err != nil {
		fmt.Fprintf(os.Stderr, "leakcheck: goroutines left running after the tests: %v\n", err)
		return 1
	}
	return 0
}
