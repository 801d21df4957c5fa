//go:build unix

package connector

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// benchConfig is a loopback configuration at the 250 ms beacon interval the
// figures are measured at.
func benchConfig(b *testing.B) BroadcastConfig {
	cfg := loopbackConfig(b, freeport.UDP(b))
	cfg.Interval = 250 * time.Millisecond
	cfg.PeerTimeout = 2 * time.Second
	return cfg
}

// BenchmarkSecondPeerConnect: time from the second peer's Start to both
// OnConnect callbacks, at a 250 ms beacon interval. One op is one such
// connection.
func BenchmarkSecondPeerConnect(b *testing.B) {
	cfg := benchConfig(b)
	aSaw := make(chan PeerID, 16)
	acfg := cfg
	acfg.OnConnect = func(p Peer) { aSaw <- p.ID }
	a, err := NewBroadcastConnector(&acfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer a.Stop()
	var worst time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		bSaw := make(chan struct{}, 1)
		bcfg := cfg
		bcfg.OnConnect = func(Peer) { bSaw <- struct{}{} }
		p, err := NewBroadcastConnector(&bcfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := p.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		for recvWithin(b, aSaw, "a's OnConnect") != p.ID() {
			// a callback about an earlier peer: skip it
		}
		recvWithin(b, bSaw, "the new peer's OnConnect")
		worst = max(worst, time.Since(start))
		b.StopTimer()
		p.Stop()
		waitFor(b, 10*time.Second, "the stopped peer to leave", func() bool { return len(a.Peers()) == 0 })
		b.StartTimer()
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// BenchmarkFullMesh16: time for 16 peers started together on loopback to
// form a full mesh (every one of the 240 OnConnect calls), at a 250 ms
// beacon interval.
func BenchmarkFullMesh16(b *testing.B) {
	const n = 16
	var worst time.Duration
	for range b.N {
		b.StopTimer()
		cfg := benchConfig(b)
		done := make(chan struct{}, n*(n-1))
		cfg.OnConnect = func(Peer) { done <- struct{}{} }
		peers := make([]*BroadcastConnector, n)
		for i := range peers {
			var err error
			if peers[i], err = NewBroadcastConnector(&cfg); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		for _, p := range peers {
			if err := p.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		for range n * (n - 1) {
			recvWithin(b, done, "every OnConnect")
		}
		worst = max(worst, time.Since(start))
		b.StopTimer()
		for _, p := range peers {
			p.Stop()
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// BenchmarkIdleCPU: CPU time (user + system, getrusage) the whole process
// uses over 10 s while connectors sit idle at the default 1 s interval:
// alone, and two connected to each other. Run with -benchtime=1x.
func BenchmarkIdleCPU(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("connectors=%d", n), func(b *testing.B) {
			cfg := loopbackConfig(b, freeport.UDP(b))
			cfg.Interval = 0 // default 1 s
			cfg.PeerTimeout = 0
			var cs []*BroadcastConnector
			for range n {
				c, err := NewBroadcastConnector(&cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				defer c.Stop()
				cs = append(cs, c)
			}
			for _, c := range cs {
				waitFor(b, 10*time.Second, "the connectors to connect", func() bool { return len(c.Peers()) == n-1 })
			}
			var total time.Duration
			b.ResetTimer()
			for range b.N {
				before := cpuTime(b)
				time.Sleep(10 * time.Second)
				total += cpuTime(b) - before
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "cpu-ms/10s")
		})
	}
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// recvWithin receives from ch, failing the benchmark after 10 s.
func recvWithin[T any](b *testing.B, ch <-chan T, what string) T {
	b.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		b.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
