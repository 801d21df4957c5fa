// Package stats samples this machine's figures for cpumon: CPU, load,
// memory, swap and CPU temperature through github.com/shirou/gopsutil/v3,
// uptime and network rates, and the GPUs through package nvml. A Collector
// samples on its own goroutine at an interval and keeps the latest sample
// for the networking loop to read without blocking.
package stats
