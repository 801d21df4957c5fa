package room

import (
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestMain(m *testing.M) {
	if runRoomChild() {
		return
	}
	leakcheck.Main(m)
}
