package relay

import (
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }
