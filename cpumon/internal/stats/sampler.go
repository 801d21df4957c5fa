package stats

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/internal/nvml"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/host"
	"github.com/shirou/gopsutil/v3/load"
	"github.com/shirou/gopsutil/v3/mem"
	"github.com/shirou/gopsutil/v3/net"
)

// gpuSource lists GPUs; *nvml.Library is one (nil-safe).
type gpuSource interface {
	GPUs() []nvml.GPU
}

// sampler reads one sample at a time. CPU percent and network rates are
// differences from the previous reading, so the sampler keeps that reading
// (its own, not gopsutil's package-wide one, so two samplers never steal
// each other's deltas). It is used by one goroutine at a time.
type sampler struct {
	host     string
	interval time.Duration
	gpus     gpuSource // may be nil
	logf     func(msg string, args ...any)

	cpuPrev cpu.TimesStat
	cpuOK   bool
	netPrev netCounters
	netOK   bool
}

type netCounters struct {
	rx, tx uint64
	at     time.Time
}

// prime takes the first CPU and network readings, so that the next sample
// has figures for the time in between.
func (s *sampler) prime(ctx context.Context, now time.Time) {
	s.cpuPrev, s.cpuOK = readCPUTimes(ctx)
	s.netPrev, s.netOK = readNet(ctx, now)
}

// sample reads every figure. One that cannot be read is left absent (and
// logged); the sample as a whole never fails.
func (s *sampler) sample(ctx context.Context, now time.Time) *wire.MsgStats {
	m := &wire.MsgStats{Host: s.host, Interval: wire.F(s.interval.Seconds())}

	if t, ok := readCPUTimes(ctx); ok {
		if s.cpuOK {
			m.CPUPercent = wire.F(round1(cpuBusyPercent(s.cpuPrev, t)))
		}
		s.cpuPrev, s.cpuOK = t, true
	} else {
		s.logf("cpu times unavailable")
	}

	if a, err := load.AvgWithContext(ctx); err == nil {
		m.LoadAvg = wire.LoadAvg{wire.F(a.Load1), wire.F(a.Load5), wire.F(a.Load15)}
	} else {
		s.logf("load average unavailable", "err", err)
	}

	if v, err := mem.VirtualMemoryWithContext(ctx); err == nil && v.Total > 0 {
		// psutil's percent: (total - available) / total, to one decimal.
		used := float64(v.Total) - float64(min(v.Available, v.Total))
		m.MemoryPercent = wire.F(round1(used / float64(v.Total) * 100))
		m.MemoryTotal = wire.U(v.Total)
	} else {
		s.logf("memory unavailable", "err", err)
	}

	if sw, err := mem.SwapMemoryWithContext(ctx); err == nil {
		pct := 0.0
		if sw.Total > 0 {
			pct = round1(float64(sw.Total-min(sw.Free, sw.Total)) / float64(sw.Total) * 100)
		}
		m.SwapPercent = wire.F(pct)
		m.SwapTotal = wire.U(sw.Total)
	} else {
		s.logf("swap unavailable", "err", err)
	}

	// gopsutil returns the sensors it could read along with warnings for
	// the others, so the list is used whatever the error.
	temps, _ := host.SensorsTemperaturesWithContext(ctx)
	if c, ok := pickCPUTemp(temps); ok {
		m.Temp = wire.F(c)
	}

	if up, err := host.UptimeWithContext(ctx); err == nil {
		m.Uptime = wire.U(up)
	}

	if n, ok := readNet(ctx, now); ok {
		if s.netOK {
			if rx, tx, ok := netRates(s.netPrev, n); ok {
				m.NetRxRate, m.NetTxRate = wire.F(math.Round(rx)), wire.F(math.Round(tx))
			}
		}
		s.netPrev, s.netOK = n, true
	}

	if s.gpus != nil {
		m.GPUs = convertGPUs(s.gpus.GPUs())
	}
	return m
}

func readCPUTimes(ctx context.Context) (cpu.TimesStat, bool) {
	ts, err := cpu.TimesWithContext(ctx, false)
	if err != nil || len(ts) == 0 {
		return cpu.TimesStat{}, false
	}
	return ts[0], true
}

// cpuBusyPercent is the busy share of CPU time between two readings, as
// gopsutil's cpu.Percent and psutil compute it: everything but idle and
// iowait (guest time is already counted in user time on Linux).
func cpuBusyPercent(a, b cpu.TimesStat) float64 {
	total := func(t cpu.TimesStat) (all, busy float64) {
		all = t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
		return all, all - t.Idle - t.Iowait
	}
	a1, b1 := total(a)
	a2, b2 := total(b)
	if b2 <= b1 {
		return 0
	}
	if a2 <= a1 {
		return 100
	}
	return math.Min(100, math.Max(0, (b2-b1)/(a2-a1)*100))
}

func readNet(ctx context.Context, now time.Time) (netCounters, bool) {
	nics, err := net.IOCountersWithContext(ctx, true)
	if err != nil {
		return netCounters{}, false
	}
	n := netCounters{at: now}
	for _, c := range nics {
		if c.Name == "lo" || strings.HasPrefix(c.Name, "lo0") {
			continue
		}
		n.rx += c.BytesRecv
		n.tx += c.BytesSent
	}
	return n, true
}

// netRates returns the bytes per second received and sent between two
// readings; not ok when no time passed or a counter went back (an
// interface went away or a counter wrapped).
func netRates(a, b netCounters) (rx, tx float64, ok bool) {
	dt := b.at.Sub(a.at).Seconds()
	if dt <= 0 || b.rx < a.rx || b.tx < a.tx {
		return 0, 0, false
	}
	return float64(b.rx-a.rx) / dt, float64(b.tx-a.tx) / dt, true
}

// cpuSensors are hwmon driver names of CPU package sensors, best first:
// Intel (what cable_car's cpu_mon reads), AMD, and common ARM boards.
var cpuSensors = []string{"coretemp", "k10temp", "zenpower", "cpu_thermal", "soc_thermal"}

// pickCPUTemp returns the first sensor of the best CPU sensor driver
// present, like psutil.sensors_temperatures()["coretemp"][0]. gopsutil
// names a sensor "<driver>" or "<driver>_<label>".
func pickCPUTemp(temps []host.TemperatureStat) (float64, bool) {
	for _, driver := range cpuSensors {
		for _, t := range temps {
			if t.SensorKey == driver || strings.HasPrefix(t.SensorKey, driver+"_") {
				if t.Temperature <= -273 || t.Temperature > 1000 || math.IsNaN(t.Temperature) {
					continue // an unplugged or broken sensor
				}
				return t.Temperature, true
			}
		}
	}
	return 0, false
}

func convertGPUs(in []nvml.GPU) []wire.GPU {
	if len(in) == 0 {
		return nil
	}
	out := make([]wire.GPU, len(in))
	for i, g := range in {
		w := wire.GPU{Name: g.Name}
		if g.HasUtil {
			w.UtilPercent = wire.F(float64(g.UtilPercent))
		}
		if g.HasMem {
			w.MemUsed, w.MemTotal = wire.U(g.MemUsed), wire.U(g.MemTotal)
		}
		if g.HasTemp {
			w.Temp = wire.F(float64(g.TempC))
		}
		out[i] = w
	}
	return out
}

// round1 rounds to one decimal, as psutil does for its percentages.
func round1(v float64) float64 { return math.Round(v*10) / 10 }
