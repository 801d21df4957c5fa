package room

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/messenger"
)

// TestRecvWaitsWithoutPolling: Recv sleeps until a peer has something: it
// wakes for a message that comes after a while of nothing, with a handful
// of Xfers (the old Recv polled, Xfer every 50 µs to 2 ms: a hundred or
// more in that while), and for a message on a connection that was busy
// just before (where the Messenger reads the socket itself).
func TestRecvWaitsWithoutPolling(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	c := dialer(t, srv.Addr().String())
	until(t, "both to join", func() bool { return len(srv.Peers()) == 1 && len(c.Peers()) == 1 }, srv, c)
	srv.take(func(Event) bool { return true })
	id := c.Peers()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type result struct {
		ev    Event
		err   error
		xfers uint64
	}
	for round, idle := range []time.Duration{300 * time.Millisecond, 0, 0} {
		got := make(chan result, 1)
		go func() { // srv's loop is Recv, in a goroutine of its own
			start := srv.xfers
			ev, err := srv.Recv(ctx)
			got <- result{ev, err, srv.xfers - start}
		}()
		// The idle time under test, not a synchronisation: Recv sleeps
		// through it.
		time.Sleep(idle)
		if err := c.Send(id, &note{S: "wake"}); err != nil {
			t.Fatal(err)
		}
		if err := c.Xfer(); err != nil {
			t.Fatal(err)
		}
		res := <-got
		if res.err != nil {
			t.Fatal(res.err)
		}
		if m, ok := res.ev.(Message); !ok || !isNote(m.Msg, "wake") {
			t.Fatalf("round %d: Recv = %#v, want the note", round, res.ev)
		}
		if res.xfers > 10 {
			t.Errorf("round %d: %d Xfers in Recv for one message after %v idle: it polls", round, res.xfers, idle)
		}
	}
}

// TestStats: the room gives each peer's Messenger figures, the round trip
// of the Messenger's pings included, without allocating; an unknown peer
// gives false.
func TestStats(t *testing.T) {
	leakcheck.Check(t)
	cfg := Config{Interval: 20 * time.Millisecond, PeerTimeout: 10 * time.Second}
	srv := listener(t, cfg)
	r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Dial: []string{srv.Addr().String()},
		Interval: cfg.Interval, PeerTimeout: cfg.PeerTimeout})
	if err != nil {
		t.Fatal(err)
	}
	c := &member{Room: r}
	defer c.Close()
	until(t, "both to join", func() bool { return len(srv.Peers()) == 1 && len(c.Peers()) == 1 }, srv, c)
	id := srv.Peers()[0]
	if err := c.SendAll(&note{S: "hi"}); err != nil {
		t.Fatal(err)
	}
	var s messenger.Stats
	until(t, "a message and a measured round trip", func() bool {
		return srv.Stats(id, &s) && s.MessagesIn >= 1 && s.PongsIn >= 1 && s.SmoothedRTT > 0
	}, srv, c)
	if s.PingsOut == 0 || s.PingsIn == 0 || s.BytesIn == 0 || s.BytesOut == 0 {
		t.Errorf("figures: %+v", s)
	}
	if srv.Stats(c.ID()+1, &s) || srv.Stats(srv.ID(), &s) {
		t.Error("Stats of a peer not in the room reported true")
	}
	if n := testing.AllocsPerRun(100, func() { srv.Stats(id, &s) }); n != 0 {
		t.Errorf("Stats: %v allocations", n)
	}
}

// TestNoRoomPings: the room sends no pings of its own (the Messenger's
// ping frames never reach Get, so a peer reading with a bare Messenger
// sees only the application's messages and the room's other control
// messages).
func TestNoRoomPings(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{Interval: 10 * time.Millisecond, PeerTimeout: 10 * time.Second})
	m := bareMessenger(t, srv.Addr().String())
	until(t, "the peer to join", func() bool { return len(srv.Peers()) == 1 }, srv)
	var st messenger.Stats
	until(t, "5 of the Messenger's pings", func() bool {
		if err := m.Xfer(); err != nil {
			t.Fatal(err)
		}
		for msg := m.Get(); msg != nil; msg = m.Get() {
			if _, ok := msg.(*ctrlPing); ok {
				t.Fatal("the room sent a ping of its own")
			}
		}
		m.ReadStats(&st)
		return st.PingsIn >= 5
	}, srv)
}

// BenchmarkRoomStats: one peer's figures, read by the game loop.
func BenchmarkRoomStats(b *testing.B) {
	host, _ := star(b, 1)
	id := host.Peers()[0]
	var s messenger.Stats
	b.ReportAllocs()
	for b.Loop() {
		if !host.Stats(id, &s) {
			b.Fatal("no such peer")
		}
	}
}

// bareMessenger connects a plain Messenger (the room's codec, no Room) to
// a listening room.
func bareMessenger(t *testing.T, addr string) *messenger.Messenger {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	codec := controlCodec(t) // Get returns the room's control messages
	m, err := messenger.New(ctx, conn, codec, &messenger.Options{AppID: "room-test"})
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
