package replica

import (
	"os"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(observerEnv); addr != "" {
		os.Exit(runObserver(addr)) // a child of TestStoppedWhenKilled
	}
	leakcheck.Main(m)
}
