package stats

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/wire"
)

// waitLatest polls c.Latest until it returns a sample or the deadline.
func waitLatest(t *testing.T, c *Collector, cond func(*wire.MsgStats) bool) *wire.MsgStats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := c.Latest(); m != nil && cond(m) {
			return m
		}
		time.Sleep(5 * time.Millisecond) // polling a condition
	}
	t.Fatal("no matching sample before the deadline")
	return nil
}

func TestCollectorSamples(t *testing.T) {
	t.Parallel()
	c := NewCollector(&Config{Interval: MinInterval, Host: "h1", NVMLPath: filepath.Join(t.TempDir(), "none.so")})
	defer c.Close()
	if c.Interval() != MinInterval {
		t.Fatalf("Interval() = %v", c.Interval())
	}
	first := waitLatest(t, c, func(*wire.MsgStats) bool { return true })
	if first.Host != "h1" || !first.CPUPercent.Valid || !first.MemoryTotal.Valid || first.Interval != wire.F(0.1) {
		t.Fatalf("first sample %+v", first)
	}
	if first.GPUs != nil {
		t.Fatalf("GPUs without a library: %+v", first.GPUs)
	}
	// The collector goes on: a later sample is a new value.
	waitLatest(t, c, func(m *wire.MsgStats) bool { return m != first })

	select {
	case m := <-c.Updates():
		if m == nil || m.Host != "h1" {
			t.Fatalf("update %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no update")
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.Latest() == nil {
		t.Fatal("Latest lost after Close")
	}
}

func TestCollectorDefaults(t *testing.T) {
	t.Parallel()
	c := NewCollector(&Config{NoGPU: true})
	defer c.Close()
	if c.Interval() != DefaultInterval {
		t.Fatalf("default Interval() = %v", c.Interval())
	}
	c2 := NewCollector(&Config{Interval: time.Millisecond, NoGPU: true})
	defer c2.Close()
	if c2.Interval() != MinInterval {
		t.Fatalf("1ms raised to %v", c2.Interval())
	}
	c3 := NewCollector(nil)
	if err := c3.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPublishKeepsOnlyTheLatest(t *testing.T) {
	c := &Collector{updates: make(chan *wire.MsgStats, 1)}
	a, b, d := &wire.MsgStats{Host: "a"}, &wire.MsgStats{Host: "b"}, &wire.MsgStats{Host: "d"}
	c.publish(a)
	c.publish(b)
	if got := <-c.Updates(); got != b {
		t.Fatalf("got %q, want the latest", got.Host)
	}
	select {
	case got := <-c.Updates():
		t.Fatalf("stale %q still queued", got.Host)
	default:
	}
	c.publish(d)
	if c.Latest() != d || <-c.Updates() != d {
		t.Fatal("Latest/Updates disagree")
	}
}

// TestCollectorReadsFakeGPUs loads the fake NVML of package nvml's tests
// through the Collector, end to end.
func TestCollectorReadsFakeGPUs(t *testing.T) {
	t.Parallel()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found: cannot build the fake NVML library")
	}
	lib := filepath.Join(t.TempDir(), "libfakenvml.so")
	if out, err := exec.Command(gcc, "-shared", "-fPIC", "-o", lib, "../nvml/testdata/fakenvml.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	c := NewCollector(&Config{Interval: MinInterval, NVMLPath: lib})
	defer c.Close()
	m := waitLatest(t, c, func(*wire.MsgStats) bool { return true })
	const gib = 1 << 30
	want := []wire.GPU{
		{Name: "Fake GPU Zero 80GB", UtilPercent: wire.F(37), MemUsed: wire.U(12 * gib), MemTotal: wire.U(80 * gib), Temp: wire.F(61)},
		{Name: "Fake GPU One", MemUsed: wire.U(1 * gib), MemTotal: wire.U(24 * gib), Temp: wire.F(45)},
	}
	if !reflect.DeepEqual(m.GPUs, want) {
		t.Fatalf("GPUs = %+v\nwant %+v", m.GPUs, want)
	}
}
