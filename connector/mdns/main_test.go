package mdns

import (
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestMain(m *testing.M) {
	if runNetnsChild() { // the test binary as a child peer: never returns
		return
	}
	leakcheck.Main(m)
}
