package connector

import (
	"testing"

	"github.com/cablecar-go/cablecar/connector/internal/leakcheck"
)

func TestMain(m *testing.M) {
	if runNetnsChild() {
		return
	}
	leakcheck.Main(m)
}
