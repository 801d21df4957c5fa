package connector

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// fakeDiscovery is an in-memory Discoverer: every session announces
// itself to the others of the same fakeDiscovery, each hearing the others
// every Interval.
type fakeDiscovery struct {
	mu       sync.Mutex
	sessions []*fakeSession
	fail     error
}

type fakeSession struct {
	d      *fakeDiscovery
	self   Announcement
	found  func(Sighting)
	mu     sync.Mutex
	quiet  bool
	closed bool
	stop   chan struct{}
	wg     sync.WaitGroup
	events []string // "quiet", "close"
}

func (d *fakeDiscovery) StartDiscovery(self Announcement, found func(Sighting)) (DiscoverySession, error) {
	if d.fail != nil {
		return nil, d.fail
	}
	s := &fakeSession{d: d, self: self, found: found, stop: make(chan struct{})}
	d.mu.Lock()
	d.sessions = append(d.sessions, s)
	d.mu.Unlock()
	s.wg.Go(func() {
		tick := time.NewTicker(self.Interval)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
			s.mu.Lock()
			q := s.quiet
			s.mu.Unlock()
			if q {
				continue
			}
			d.mu.Lock()
			others := append([]*fakeSession(nil), d.sessions...)
			d.mu.Unlock()
			for _, o := range others {
				o.mu.Lock()
				sg := Sighting{ID: o.self.ID, AppID: o.self.AppID, Name: o.self.Name,
					Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), o.self.Port), Quiet: o.quiet}
				gone := o.closed
				o.mu.Unlock()
				if !gone {
					found(sg)
				}
			}
			found(Sighting{}) // garbage: counted as dropped
			found(Sighting{ID: 1, AppID: "other", Addr: netip.MustParseAddrPort("127.0.0.1:1")})
		}
	})
	return s, nil
}

func (s *fakeSession) Quiet() {
	s.mu.Lock()
	s.quiet = true
	s.events = append(s.events, "quiet")
	s.mu.Unlock()
}

func (s *fakeSession) Close() error {
	s.mu.Lock()
	s.closed = true
	s.events = append(s.events, "close")
	s.mu.Unlock()
	close(s.stop)
	s.wg.Wait()
	return nil
}

func (s *fakeSession) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// A Discoverer alone (DiscoveryOnly, no beacon heard or sent) connects two
// connectors, and its session sees Quiet then Close, or Close alone.
func TestDiscovererPlugIn(t *testing.T) {
	d := &fakeDiscovery{}
	cfg := BroadcastConfig{AppID: "plug/" + t.Name(), Loopback: true, Interval: 20 * time.Millisecond,
		Discovery: d, DiscoveryOnly: true, UDPPort: 1} // no beacon socket is opened on port 1
	a, err := NewBroadcastConnector(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 3 * time.Second // ends discovery: Quiet
	b, err := NewBroadcastConnector(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*BroadcastConnector{a, b} {
		if err := c.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "a and b connected through the Discoverer", func() bool {
		return len(a.Peers()) == 1 && len(b.Peers()) == 1
	})
	if _, err := b.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	sa, sb := d.sessions[0], d.sessions[1]
	waitFor(t, 5*time.Second, "b's session told quiet", func() bool { return len(sb.log()) == 1 })
	st := a.Stats()
	if st.BeaconsSent != 0 || st.BeaconsReceived == 0 || st.Dropped == 0 || st.DroppedForeign == 0 {
		t.Errorf("a's stats %+v: want no beacons sent, sightings heard, garbage and foreign counted", st)
	}
	a.Stop()
	b.Stop()
	if l := sa.log(); len(l) != 1 || l[0] != "close" {
		t.Errorf("a's session: %v, want [close]", l)
	}
	if l := sb.log(); len(l) != 2 || l[0] != "quiet" || l[1] != "close" {
		t.Errorf("b's session: %v, want [quiet close]", l)
	}
}

// Start fails with the Discoverer's error, and can be tried again.
func TestDiscovererStartFails(t *testing.T) {
	boom := errors.New("boom")
	d := &fakeDiscovery{fail: boom}
	c, err := NewBroadcastConnector(&BroadcastConfig{AppID: "plug/" + t.Name(), Loopback: true, Discovery: d, DiscoveryOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if err := c.Start(t.Context()); !errors.Is(err, boom) {
		t.Fatalf("Start: %v, want boom", err)
	}
	d.fail = nil
	if err := c.Start(t.Context()); err != nil {
		t.Fatalf("second Start: %v", err)
	}
}

func TestDiscoveryConfig(t *testing.T) {
	for _, cfg := range []BroadcastConfig{{Discovery: &fakeDiscovery{}, Compat: true}, {DiscoveryOnly: true}} {
		if _, err := NewBroadcastConnector(&cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}
