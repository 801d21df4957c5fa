package proctest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the program die with the test binary, even one
// killed by -timeout (Linux's parent-death signal).
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
}
