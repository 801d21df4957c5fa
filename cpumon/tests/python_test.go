package tests

import (
	"os/exec"
	"testing"
)

// needPython is the python3 in PATH; the test skips without one.
func needPython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the cross-language tests need it")
	}
	return py
}
