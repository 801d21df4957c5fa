package messenger

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run when goroutines outlive the tests.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines, %d before the tests\n%s\n", n, before, buf)
			code = 1
		}
		if n := liveGoroutines.Load(); n != 0 {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d Messenger goroutines still running\n", n)
			code = 1
		}
	}
	os.Exit(code)
}

// stacksContaining counts the goroutines whose stack mentions s.
func stacksContaining(s string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, s) {
			n++
		}
	}
	return n
}
