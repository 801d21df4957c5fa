package tests

import (
	"os"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// TestMain builds cpumon, this module's main package, with its go.mod
// (with or without go.work) once for all the tests.
func TestMain(m *testing.M) {
	cpumon := map[string]string{"cpumon": "github.com/cablecar-go/cablecar/cpumon"}
	os.Exit(leakcheck.Verify(proctest.Main(m, cpumon, nil)))
}
