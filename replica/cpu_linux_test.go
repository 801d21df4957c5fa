package replica

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling thread (lock it first): on a
// machine shared with other jobs it leaves out the time spent waiting for
// a CPU, which wall-clock ns/op counts.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
