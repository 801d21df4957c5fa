package stats

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if a Collector goroutine outlives the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := checkNoCollectorGoroutines(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func checkNoCollectorGoroutines() error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "stats.(*Collector).run") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("leaked Collector goroutines:\n%s", stacks)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising
	}
}
