package stats

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/internal/nvml"
	"github.com/cablecar-go/cablecar/cpumon/wire"
)

// DefaultInterval is cable_car's cpu_mon interval.
const DefaultInterval = 3 * time.Second

// MinInterval is the shortest interval a Collector accepts.
const MinInterval = 100 * time.Millisecond

// maxFirstDelay bounds the wait for the first sample: CPU percent and
// network rates need two readings, so the first sample comes this long
// (or one interval, if shorter) after the start.
const maxFirstDelay = 250 * time.Millisecond

// Config configures a Collector. The zero value and nil are valid.
type Config struct {
	// Interval between samples. Default DefaultInterval (3 s); values
	// below MinInterval (100 ms) are raised to it.
	Interval time.Duration
	// Host is the name put in every sample. Default: os.Hostname(), as
	// Python's socket.gethostname().
	Host string
	// NVMLPath is the NVML library to load for GPU figures. Default
	// nvml.DefaultPath ("libnvidia-ml.so.1", found by the dynamic loader).
	// A library that cannot be loaded means no GPUs, not an error.
	NVMLPath string
	// NoGPU disables the GPU reader altogether.
	NoGPU bool
	// Logger receives debug messages (GPU library not loaded, a figure
	// that could not be read). Default nil: silent.
	Logger *slog.Logger
}

// Collector samples this machine's stats on its own goroutine: the first
// sample about 250 ms after NewCollector, then one per interval. Its
// methods are safe for concurrent use.
type Collector struct {
	interval time.Duration
	logger   *slog.Logger
	sampler  sampler
	nvmlPath string
	noGPU    bool

	latest  atomic.Pointer[wire.MsgStats]
	updates chan *wire.MsgStats

	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// NewCollector starts a Collector. It does not block: loading NVML and
// every reading happen on the Collector's goroutine. Close it when done.
func NewCollector(cfg *Config) *Collector {
	var c0 Config
	if cfg != nil {
		c0 = *cfg
	}
	if c0.Interval == 0 {
		c0.Interval = DefaultInterval
	}
	c0.Interval = max(c0.Interval, MinInterval)
	if c0.Host == "" {
		c0.Host, _ = os.Hostname()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Collector{
		interval: c0.Interval,
		logger:   c0.Logger,
		nvmlPath: c0.NVMLPath,
		noGPU:    c0.NoGPU,
		updates:  make(chan *wire.MsgStats, 1),
		cancel:   cancel,
		done:     make(chan struct{}),
	}
	c.sampler = sampler{host: c0.Host, interval: c0.Interval, logf: c.debug}
	go c.run(ctx)
	return c
}

// Interval returns the interval between samples, defaults applied.
func (c *Collector) Interval() time.Duration { return c.interval }

// Latest returns the most recent sample, or nil before the first one. It
// never blocks. Samples are never changed once published: treat the result
// as read-only (copy it to change it, e.g. with Compat).
func (c *Collector) Latest() *wire.MsgStats { return c.latest.Load() }

// Updates returns a channel that receives each new sample. It holds one
// sample: a sample nobody received yet is replaced by the next, so a slow
// reader only ever gets the latest. The channel is never closed.
func (c *Collector) Updates() <-chan *wire.MsgStats { return c.updates }

// Close stops the Collector and waits for its goroutine, which may be
// finishing a reading or NVML's initialisation. It is idempotent and
// returns nil. Latest keeps returning the last sample.
func (c *Collector) Close() error {
	c.closeOnce.Do(c.cancel)
	<-c.done
	return nil
}

func (c *Collector) run(ctx context.Context) {
	defer close(c.done)
	if !c.noGPU {
		lib, err := nvml.Open(c.nvmlPath)
		if err != nil {
			c.debug("no GPU figures", "err", err)
		} else {
			defer lib.Close()
			c.sampler.gpus = lib
		}
	}
	c.sampler.prime(ctx, time.Now())

	timer := time.NewTimer(min(c.interval, maxFirstDelay))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		c.publish(c.sampler.sample(ctx, time.Now()))
		timer.Reset(c.interval)
	}
}

// publish stores s as the latest sample and offers it on the updates
// channel, replacing a sample nobody has received. It never blocks: this
// goroutine is the only sender.
func (c *Collector) publish(s *wire.MsgStats) {
	c.latest.Store(s)
	select {
	case c.updates <- s:
		return
	default:
	}
	select {
	case <-c.updates: // drop the stale one
	default:
	}
	select {
	case c.updates <- s:
	default:
	}
}

func (c *Collector) debug(msg string, args ...any) {
	if c.logger != nil {
		c.logger.Debug("stats: "+msg, args...)
	}
}
