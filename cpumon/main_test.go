package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/app"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/proctest"
	"github.com/cablecar-go/cablecar/secure"
	"github.com/nats-io/nats-server/v2/server"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// natsServer starts an embedded nats-server on 127.0.0.1 (a random port),
// with token auth when token is not empty.
func natsServer(t *testing.T, token string) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true, Authorization: token})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	return s
}

// event is one line of cpumon -json output (the fields the tests read).
type event struct {
	Type   string `json:"type"`
	Peer   string `json:"peer"`
	Reason string `json:"reason"`
	Stats  *struct {
		Host string `json:"host"`
	} `json:"stats"`
}

// mon is cpumon run in this process (app.Run with this
// command's Ext) with -json -v: its events and its log, kept.
type mon struct {
	cancel context.CancelFunc
	code   chan int
	self   event
	read   sync.WaitGroup
	mu     sync.Mutex
	evs    []event
	log    []string
	more   chan struct{}
}

func startMon(t *testing.T, args ...string) *mon {
	t.Helper()
	r, w := proctest.Pipe(t)
	er, ew := proctest.Pipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	m := &mon{cancel: cancel, code: make(chan int, 1), more: make(chan struct{}, 1)}
	go func() {
		code := app.Run(ctx, append([]string{"-json", "-v", "-interval", "200ms"}, args...), w, ew, ext())
		w.Close()
		ew.Close()
		m.code <- code
	}()
	m.read.Add(2)
	go m.scan(er, func(line []byte) {
		m.log = append(m.log, string(line))
	})
	go m.scan(r, func(line []byte) {
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Errorf("bad JSON line %q: %v", line, err)
			return
		}
		m.evs = append(m.evs, ev)
	})
	t.Cleanup(func() { m.stop(t) })
	m.waitFor(t, "its self line", func() bool { return len(m.evs) > 0 })
	m.mu.Lock()
	m.self = m.evs[0]
	m.mu.Unlock()
	if m.self.Type != "self" {
		t.Fatalf("first line %+v, want self", m.self)
	}
	return m
}

// scan reads lines of f into keep (under m.mu) until f ends.
func (m *mon) scan(f *os.File, keep func([]byte)) {
	defer m.read.Done()
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m.mu.Lock()
		keep(sc.Bytes())
		m.mu.Unlock()
		select {
		case m.more <- struct{}{}:
		default:
		}
	}
}

// stop ends the monitor and waits for it and its readers; idempotent.
func (m *mon) stop(t *testing.T) {
	m.cancel()
	if code, ok := <-m.code; ok {
		close(m.code)
		if code != 0 {
			t.Errorf("cpumon exit %d", code)
		}
	}
	m.read.Wait()
}

// waitFor waits up to 20 s until cond (called under m.mu) holds.
func (m *mon) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		m.mu.Lock()
		ok := cond()
		m.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-m.more:
		case <-deadline:
			m.mu.Lock()
			defer m.mu.Unlock()
			t.Fatalf("no %s within 20s; log:\n%s", what, strings.Join(m.log, "\n"))
		}
	}
}

// stats counts m's stats lines of peer; call it under m.mu.
func (m *mon) stats(peer string) int {
	n := 0
	for _, ev := range m.evs {
		if ev.Type == "stats" && ev.Peer == peer {
			n++
		}
	}
	return n
}

// TestTwoMonitorsOverRelay: two monitors whose LANs cannot meet (-local
// with different beacon ports: the default transports, relay and LAN)
// list each other's stats through the NATS server; one stopped is gone
// from the other with reason "left".
func TestTwoMonitorsOverRelay(t *testing.T) {
	leakcheck.Check(t)
	url := natsServer(t, "").ClientURL()
	a := startMon(t, "-relay", url, "-local", "-port", strconv.Itoa(freeport.UDP(t)))
	b := startMon(t, "-relay", url, "-local", "-port", strconv.Itoa(freeport.UDP(t)))
	a.waitFor(t, "stats of b", func() bool { return a.stats(b.self.Peer) > 0 })
	b.waitFor(t, "stats of a", func() bool { return b.stats(a.self.Peer) > 0 })
	a.mu.Lock()
	for _, ev := range a.evs {
		if ev.Type == "stats" && (ev.Stats == nil || !strings.Contains(ev.Stats.Host, "#")) {
			t.Errorf("stats line %+v", ev)
		}
	}
	a.mu.Unlock()
	b.stop(t)
	a.waitFor(t, "b gone", func() bool {
		for _, ev := range a.evs {
			if ev.Type == "gone" && ev.Peer == b.self.Peer {
				if ev.Reason != "left" {
					t.Errorf("b gone with reason %q, want left", ev.Reason)
				}
				return true
			}
		}
		return false
	})
}

// TestRelayPassword: over the relay only (-lan=false: no LAN at all), two
// monitors with the same -password list each other; one with another
// password is refused (its log says so) and lists nobody, nor is it
// listed.
func TestRelayPassword(t *testing.T) {
	leakcheck.Check(t)
	url := natsServer(t, "").ClientURL()
	a := startMon(t, "-relay", url, "-lan=false", "-password", "fleet secret")
	b := startMon(t, "-relay", url, "-lan=false", "-password", "fleet secret")
	wrong := startMon(t, "-relay", url, "-lan=false", "-password", "another one")
	a.waitFor(t, "stats of b", func() bool { return a.stats(b.self.Peer) > 0 })
	b.waitFor(t, "stats of a", func() bool { return b.stats(a.self.Peer) > 0 })
	wrong.waitFor(t, "a refused hello", func() bool {
		for _, l := range wrong.log {
			if strings.Contains(l, secure.ErrWrongCode.Error()) {
				return true
			}
		}
		return false
	})
	// After the refusal a few more samples between a and b: still nothing
	// of the outsider anywhere, and nothing in its output.
	a.mu.Lock()
	n := a.stats(b.self.Peer)
	a.mu.Unlock()
	a.waitFor(t, "3 more stats of b", func() bool { return a.stats(b.self.Peer) >= n+3 })
	for _, m := range []*mon{a, b, wrong} {
		m.mu.Lock()
		for _, ev := range m.evs[1:] {
			if m == wrong || ev.Peer == wrong.self.Peer {
				t.Errorf("%s printed %+v across passwords", m.self.Peer, ev)
			}
		}
		m.mu.Unlock()
	}
}

// TestRelayToken: -token (an Ext flag) reaches the NATS connection: with
// the server's token two monitors meet; without it cpumon exits 1.
func TestRelayToken(t *testing.T) {
	leakcheck.Check(t)
	url := natsServer(t, "s3cret").ClientURL()
	a := startMon(t, "-relay", url, "-lan=false", "-token", "s3cret")
	b := startMon(t, "-relay", url, "-lan=false", "-token", "s3cret")
	a.waitFor(t, "stats of b", func() bool { return a.stats(b.self.Peer) > 0 })
	if code := app.Run(t.Context(), []string{"-json", "-relay", url, "-lan=false"}, os.Stdout, os.Stderr, ext()); code != 1 {
		t.Errorf("without the token: exit %d, want 1", code)
	}
}
