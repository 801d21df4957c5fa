package app

import (
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestMain fails the run when a goroutine outlives the tests.
func TestMain(m *testing.M) { leakcheck.Main(m) }
