package messenger

import (
	"fmt"
	"os"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestMain fails the run when goroutines outlive the tests: any goroutine
// left (after a grace period), and any Messenger goroutine at all.
func TestMain(m *testing.M) {
	code := leakcheck.Verify(m.Run())
	if n := liveGoroutines.Load(); code == 0 && n != 0 {
		fmt.Fprintf(os.Stderr, "goroutine leak: %d Messenger goroutines still running\n", n)
		code = 1
	}
	os.Exit(code)
}
