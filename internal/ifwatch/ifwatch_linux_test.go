//go:build linux

package ifwatch

import (
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// newIn opens a Watcher inside network namespace ns (a netlink socket
// belongs to the namespace of the thread that makes it).
func newIn(t *testing.T, ns string) *Watcher {
	t.Helper()
	type result struct {
		w   *Watcher
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			ch <- result{nil, err}
			runtime.UnlockOSThread()
			return
		}
		defer self.Close()
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			ch <- result{nil, err}
			runtime.UnlockOSThread()
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, err}
			runtime.UnlockOSThread()
			return
		}
		w, err := New()
		if unix.Setns(int(self.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread() // else the thread dies with the goroutine
		}
		ch <- result{w, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.w.Close() })
	return r.w
}

func waitSignal(t *testing.T, w *Watcher, what string) {
	t.Helper()
	select {
	case <-w.C:
	case <-time.After(10 * time.Second):
		t.Fatalf("no change signalled within 10s after %s", what)
	}
}

// drain waits until no signal has come for a while, so that the next
// signal is caused by the next change (a change makes several messages).
func drain(w *Watcher) {
	for {
		select {
		case <-w.C:
		case <-time.After(200 * time.Millisecond):
			return
		}
	}
}

func TestWatcherSignalsChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	br := lab.Bridge()
	h := lab.Host()
	w := newIn(t, h.NS)
	lk := h.Attach(br, netip.MustParsePrefix("10.239.0.1/24"))
	waitSignal(t, w, "a new interface")
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", append([]string{"-n", h.NS}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	for _, step := range []struct {
		what string
		args []string
	}{
		{"link down", []string{"link", "set", lk.Name, "down"}},
		{"link up", []string{"link", "set", lk.Name, "up"}},
		{"address added", []string{"addr", "add", "10.239.1.1/24", "dev", lk.Name}},
		{"address removed", []string{"addr", "del", "10.239.1.1/24", "dev", lk.Name}},
	} {
		drain(w)
		ip(step.args...)
		waitSignal(t, w, step.what)
	}
	drain(w)
	lk.SetConnected(false) // carrier lost: a link change too
	waitSignal(t, w, "carrier lost")
	if err := w.Close(); err != nil {
		t.Error(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
