package room

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// benchJoin measures, per op, the time from New of a room (with the typed
// code, when code) to its Joined event for a host that is already running
// on loopback with the default beacon interval (1 s): the "typed code to
// open secure channel" figure. It reports the mean (ns/op), the median and
// the largest time, and the interval.
func benchJoin(b *testing.B, code bool, pause time.Duration) {
	port := freeport.UDP(b)
	hcfg := Config{AppID: "room-bench-join", Codec: newCodec(), Loopback: true, UDPPort: port, Invite: code}
	hr, err := New(context.Background(), &hcfg)
	if err != nil {
		b.Fatal(err)
	}
	defer hr.Close()
	h := &member{Room: hr}
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		cfg := Config{AppID: hcfg.AppID, Codec: newCodec(), Loopback: true, UDPPort: port}
		if code {
			pump(h) // take the renewal in
			cfg.Code = h.Code().Reveal()
		}
		start := time.Now()
		r, err := New(context.Background(), &cfg)
		if err != nil {
			b.Fatal(err)
		}
		j := &member{Room: r}
		until(b, "joined", func() bool { return hasPeer(j, h.ID()) }, j, h)
		times = append(times, time.Since(start))
		b.StopTimer()
		r.Close()
		until(b, "left", func() bool { return !hasPeer(h, r.ID()) }, h)
		h.events = h.events[:0]
		// A person types the next code later: let the host's early-beacon
		// spacing (min(Interval/8, 100 ms) after its last beacon, which
		// the previous joiner triggered) run out, as it has in real use.
		// Not a synchronisation: the figure is measured either way, and
		// without the pause it includes up to 100 ms of that spacing.
		time.Sleep(pause)
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(hr.cfg.Interval.Milliseconds()), "interval-ms")
}

// BenchmarkJoinCode: a joiner with the host's code, from New to Joined
// (dial, identify, hello, CPace with confirmation, first sealed record).
func BenchmarkJoinCode(b *testing.B) { benchJoin(b, true, 150*time.Millisecond) }

// BenchmarkJoinCodeBackToBack: the same, the next joiner at once (the
// host's early beacon then waits out its spacing).
func BenchmarkJoinCodeBackToBack(b *testing.B) { benchJoin(b, true, 0) }

// BenchmarkJoinPlainFloor: the same without security (dial, identify,
// hello): the floor of BenchmarkJoinCode.
func BenchmarkJoinPlainFloor(b *testing.B) { benchJoin(b, false, 150*time.Millisecond) }
