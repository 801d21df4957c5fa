package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/proctest"
	"github.com/cablecar-go/cablecar/secure"
)

// logged is a monitor run in this process with -json -v: its events
// and its debug log, both kept.
type logged struct {
	*instance
	mu   sync.Mutex
	log  []string
	evs  []jsonEvent
	more chan struct{}
	read sync.WaitGroup
}

// startLogged is startInstance with the debug log (-v) kept: the reason a
// hello failed is logged there.
func startLogged(t *testing.T, o options) *logged {
	t.Helper()
	o.verbose = true
	r, w := proctest.Pipe(t)
	er, ew := proctest.Pipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	l := &logged{instance: &instance{cancel: cancel, done: make(chan error, 1), lines: make(chan jsonEvent, 1024)}, more: make(chan struct{}, 1)}
	go func() {
		err := monitorRun(ctx, o, w, ew)
		w.Close()
		ew.Close()
		l.done <- err
	}()
	l.read.Add(1)
	go func() {
		defer l.read.Done()
		sc := bufio.NewScanner(er)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l.mu.Lock()
			l.log = append(l.log, sc.Text())
			l.mu.Unlock()
			l.signal()
		}
		er.Close()
	}()
	go func() {
		defer close(l.lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			ev, ok := parseJSONEvent(t, sc.Bytes())
			if !ok {
				continue
			}
			l.mu.Lock()
			l.evs = append(l.evs, ev)
			l.mu.Unlock()
			l.signal()
			if ev.Type == "self" {
				l.lines <- ev
			}
		}
		r.Close()
	}()
	l.self = l.next(t, func(ev jsonEvent) bool { return ev.Type == "self" })
	t.Cleanup(func() { l.stop(t); l.read.Wait() })
	return l
}

func (l *logged) signal() {
	select {
	case l.more <- struct{}{}:
	default:
	}
}

// waitFor waits up to 15 s until cond holds over the events and the log.
func (l *logged) waitFor(t *testing.T, what string, cond func(evs []jsonEvent, log []string) bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		l.mu.Lock()
		ok := cond(l.evs, l.log)
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-l.more:
		case <-deadline:
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("%s: no %s within 15s; log:\n%s", l.self.Host, what, strings.Join(l.log, "\n"))
		}
	}
}

func statsCount(evs []jsonEvent, peer string) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == "stats" && ev.Peer == peer {
			n++
		}
	}
	return n
}

// refusedFor reports whether the log says a hello failed for a secret
// that is not ours: a wrong password, or a peer with none (or we have
// none and it has one).
func refusedFor(log []string) bool {
	for _, l := range log {
		if strings.Contains(l, secure.ErrWrongCode.Error()) || strings.Contains(l, "one side has a code or password and the other has none") {
			return true
		}
	}
	return false
}

// TestPasswordFleet: two monitors with the same -password see each other;
// one without a password and one with another see none of them, and are
// seen by none, though their hellos were tried (and refused, as the logs
// say) all along.
func TestPasswordFleet(t *testing.T) {
	o := options{local: true, json: true, interval: 200 * time.Millisecond, port: freeport.UDP(t)}
	withPW := o
	withPW.password = "fleet secret"
	other := o
	other.password = "another one"
	a, b := startLogged(t, withPW), startLogged(t, withPW)
	none, wrong := startLogged(t, o), startLogged(t, other)

	a.waitFor(t, "stats of b", func(evs []jsonEvent, _ []string) bool { return statsCount(evs, b.self.Peer) > 0 })
	b.waitFor(t, "stats of a", func(evs []jsonEvent, _ []string) bool { return statsCount(evs, a.self.Peer) > 0 })
	for _, m := range []*logged{none, wrong} {
		m.waitFor(t, "refused hello", func(_ []jsonEvent, log []string) bool { return refusedFor(log) })
	}
	// Once both outsiders have been refused, a few more samples between a
	// and b: still nothing of them anywhere.
	a.mu.Lock()
	n := statsCount(a.evs, b.self.Peer)
	a.mu.Unlock()
	a.waitFor(t, "3 more stats of b", func(evs []jsonEvent, _ []string) bool { return statsCount(evs, b.self.Peer) >= n+3 })
	for _, m := range []*logged{a, b, none, wrong} {
		m.mu.Lock()
		for _, ev := range m.evs {
			if ev.Type == "self" {
				continue
			}
			pair := (m == a && ev.Peer == b.self.Peer) || (m == b && ev.Peer == a.self.Peer)
			if !pair {
				t.Errorf("%s printed %s of %s (%s), which has another secret", m.self.Host, ev.Type, ev.Peer, ev.Host)
			}
		}
		m.mu.Unlock()
	}
}

// parseJSONEvent parses one -json line; a bad one fails the test.
func parseJSONEvent(t *testing.T, b []byte) (jsonEvent, bool) {
	var ev jsonEvent
	if err := json.Unmarshal(bytes.TrimSpace(b), &ev); err != nil {
		t.Errorf("bad JSON line %q: %v", b, err)
		return ev, false
	}
	return ev, true
}
