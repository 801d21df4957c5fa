//go:build !linux

package proctest

import "os/exec"

// dieWithParent does nothing where there is no parent-death signal: the
// test's cleanup kills the program.
func dieWithParent(*exec.Cmd) {}
