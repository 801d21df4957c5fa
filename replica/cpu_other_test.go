//go:build !linux

package replica

import "time"

// threadCPU is not measured here: the cpu-ns/op metrics read 0.
func threadCPU() time.Duration { return 0 }
