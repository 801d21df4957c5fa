package stats

import (
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestMain fails the run if a Collector goroutine (or any other) outlives
// the tests.
func TestMain(m *testing.M) { leakcheck.Main(m) }
