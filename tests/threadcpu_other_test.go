//go:build !linux

package tests

import "time"

// threadCPU reports false where a thread's CPU time cannot be read.
func threadCPU() (time.Duration, bool) { return 0, false }
