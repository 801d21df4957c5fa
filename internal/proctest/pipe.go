package proctest

import (
	"os"
	"testing"
)

// Pipe returns the read and write ends of an os.Pipe, failing t when it
// cannot make one: the standard output or error of a program run in the
// test's own process (its Run function), which the test reads as it
// would a process's. The caller closes both ends.
func Pipe(t testing.TB) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}
