package room

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// TestRoomForms: rooms on loopback find each other; each sees the others
// join under their own ids; SendAll reaches every peer, Send one.
func TestRoomForms(t *testing.T) {
	leakcheck.Check(t)
	ms := lan(t, 4)
	for _, m := range ms {
		joined := m.take(func(ev Event) bool { _, ok := ev.(Joined); return ok })
		var ids []PeerID
		for _, ev := range joined {
			ids = append(ids, ev.(Joined).Peer)
		}
		for _, o := range ms {
			if o != m && !slices.Contains(ids, o.ID()) {
				t.Errorf("room %016x: no Joined for %016x (got %v)", m.ID(), o.ID(), ids)
			}
		}
	}
	if err := ms[0].SendAll(&note{S: "all"}); err != nil {
		t.Fatal(err)
	}
	if err := ms[0].Send(ms[2].ID(), &note{S: "two"}); err != nil {
		t.Fatal(err)
	}
	got := make([][]Message, len(ms))
	until(t, "SendAll and Send to arrive", func() bool {
		for i, m := range ms[1:] {
			got[i+1] = append(got[i+1], m.notes()...)
		}
		return len(got[1]) == 1 && len(got[2]) == 2 && len(got[3]) == 1
	}, ms...)
	for _, i := range []int{1, 2, 3} {
		if g := got[i][0]; g.Peer != ms[0].ID() || g.Group != "" || g.Msg.(*note).S != "all" {
			t.Errorf("room %d got %+v", i, g)
		}
	}
	if g := got[2][1]; g.Msg.(*note).S != "two" {
		t.Errorf("Send: got %+v", g)
	}
}

// TestXferIdleAllocs: an idle room's Xfer and Get allocate nothing.
func TestXferIdleAllocs(t *testing.T) {
	leakcheck.Check(t)
	ms := lan(t, 3)
	pump(ms...)
	r := ms[0]
	if n := testing.AllocsPerRun(1000, func() {
		_ = r.Xfer()
		for ev := r.Get(); ev != nil; ev = r.Get() {
			t.Errorf("unexpected event %#v", ev)
		}
	}); n != 0 {
		t.Errorf("idle Xfer+Get: %v allocations, want 0", n)
	}
}

// TestLeftReasons: a clean Close is ErrPeerLeft; the end of the stream
// without a goodbye (a crash) and a reset are ErrPeerReset; garbage is
// ErrPeerProtocol; each after the peer's last message.
func TestLeftReasons(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	addr := srv.Addr().String()

	// A clean leave.
	a := dialer(t, addr)
	until(t, "a to join", func() bool { return hasPeer(srv, a.ID()) && len(a.Peers()) == 1 }, srv, a)
	if err := a.SendAll(&note{S: "last words"}); err != nil {
		t.Fatal(err)
	}
	pump(a)
	a.Close()
	until(t, "a to leave", func() bool { _, ok := leftOf(srv, a.ID()); return ok }, srv)
	if reason, _ := leftOf(srv, a.ID()); !errors.Is(reason, ErrPeerLeft) {
		t.Errorf("clean Close: reason %v, want ErrPeerLeft", reason)
	}
	if n := srv.notes(); len(n) != 1 || n[0].Msg.(*note).S != "last words" {
		t.Errorf("the last message before Left: %+v", n)
	}

	// Bare Messengers: a crash (no goodbye), a reset, garbage.
	peerOf := func() (*messenger.Messenger, *net.TCPConn) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		m, err := messenger.New(context.Background(), conn, newCodec(), &messenger.Options{AppID: "room-test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		until(t, "the bare peer to join", func() bool { return hasPeer(srv, PeerID(m.Local().PeerID)) }, srv)
		return m, conn.(*net.TCPConn)
	}
	cases := []struct {
		name string
		end  func(m *messenger.Messenger, c *net.TCPConn)
		want error
	}{
		{"crash", func(m *messenger.Messenger, c *net.TCPConn) { m.Close() }, ErrPeerReset},
		{"reset", func(m *messenger.Messenger, c *net.TCPConn) { c.SetLinger(0); m.Close() }, ErrPeerReset},
		{"garbage", func(m *messenger.Messenger, c *net.TCPConn) { c.Write([]byte{0, 0, 0}) }, ErrPeerProtocol},
	}
	for _, tc := range cases {
		m, c := peerOf()
		id := PeerID(m.Local().PeerID)
		tc.end(m, c)
		until(t, tc.name+" to be seen", func() bool { _, ok := leftOf(srv, id); return ok }, srv)
		if reason, _ := leftOf(srv, id); !errors.Is(reason, tc.want) {
			t.Errorf("%s: reason %v, want %v", tc.name, reason, tc.want)
		}
	}
}

// TestRejected: connections whose hello fails (another application, not a
// cablecar peer) never join; each is a Rejected event wrapping ErrHello,
// and the room goes on.
func TestRejected(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{HelloTimeout: 20 * time.Second})
	addr := srv.Addr().String()
	other, err := New(context.Background(), &Config{AppID: "another-app", Codec: newCodec(), Dial: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	junk, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer junk.Close()
	junk.Write([]byte("BROADCAST and then some more bytes than a hello header"))
	good := dialer(t, addr)
	until(t, "two rejections and a join", func() bool {
		rej := 0
		for _, ev := range srv.events {
			if r, ok := ev.(Rejected); ok {
				if !errors.Is(r.Reason, ErrHello) {
					t.Fatalf("Rejected reason %v, want ErrHello", r.Reason)
				}
				rej++
			}
		}
		return rej == 2 && hasPeer(srv, good.ID())
	}, srv, good)
	if len(srv.Peers()) != 1 {
		t.Errorf("peers %v, want only %016x", srv.Peers(), good.ID())
	}
}

// TestCloseDuringHello: Close ends hellos in progress (a connection that
// never says hello) and waits for their goroutines (leakcheck).
func TestCloseDuringHello(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{HelloTimeout: time.Hour})
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pump(srv)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Xfer(); !errors.Is(err, ErrClosed) {
		t.Errorf("Xfer after Close: %v, want ErrClosed", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Send":       srv.Send(1, &note{}),
		"SendAll":    srv.SendAll(&note{}),
		"Publish":    srv.Publish("g", &note{}),
		"JoinGroup":  srv.JoinGroup("g"),
		"LeaveGroup": srv.LeaveGroup("g"),
		"Produce":    srv.Produce("g", &note{}),
		"Notify":     srv.Notify("g", 1),
		"Flush":      srv.Flush(context.Background()),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if _, err := srv.Recv(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Recv after Close: %v, want ErrClosed", err)
	}
}

// TestRecvContext: Recv returns the context's error when it ends first.
func TestRecvContext(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.Recv(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Recv with a cancelled context: %v", err)
	}
}

// TestLimits: bad group names, messages over the byte codec's limit and
// unknown peers give typed errors, and nothing is queued.
func TestLimits(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	c := dialer(t, srv.Addr().String())
	until(t, "c to join", func() bool { return len(srv.Peers()) == 1 }, srv, c)
	for _, g := range []string{"", strings.Repeat("g", MaxGroupName+1), "\xff"} {
		if err := srv.JoinGroup(g); !errors.Is(err, ErrGroupName) {
			t.Errorf("JoinGroup(%q): %v, want ErrGroupName", g, err)
		}
		if err := srv.Publish(g, &note{S: "x"}); !errors.Is(err, ErrGroupName) {
			t.Errorf("Publish(%q): %v, want ErrGroupName", g, err)
		}
	}
	if err := srv.JoinGroup(strings.Repeat("g", MaxGroupName)); err != nil {
		t.Errorf("JoinGroup of MaxGroupName bytes: %v", err)
	}
	big := &note{S: strings.Repeat("x", 254)}
	if err := srv.SendAll(big); !errors.Is(err, message.ErrTooLarge) {
		t.Errorf("SendAll of 254 bytes: %v, want message.ErrTooLarge", err)
	}
	if err := srv.Send(c.ID(), big); !errors.Is(err, message.ErrTooLarge) {
		t.Errorf("Send of 254 bytes: %v, want message.ErrTooLarge", err)
	}
	if err := srv.Send(12345, &note{S: "x"}); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("Send to nobody: %v, want ErrUnknownPeer", err)
	}
	if err := srv.SendAll(&note{S: strings.Repeat("x", 253)}); err != nil {
		t.Errorf("SendAll of 253 bytes: %v", err)
	}
	until(t, "the 253-byte message", func() bool { return len(c.notes()) == 1 }, srv, c)
}

// TestClassify: the final errors of a Messenger map to the Left reasons.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		bye  bool
		want error
	}{
		{messenger.ErrPeerClosed, true, ErrPeerLeft},
		{messenger.ErrPeerClosed, false, ErrPeerReset},
		{&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, false, ErrPeerReset},
		{&message.DecodeError{Err: message.ErrBadLength}, true, ErrPeerProtocol},
		{timeoutErr{}, false, ErrPeerTimeout},
		{fmt.Errorf("connector: peer dropped: %w (%w)", net.ErrClosed, connector.ErrPeerTimeout), false, ErrPeerTimeout},
		{fmt.Errorf("connector: peer dropped: %w (%w)", net.ErrClosed, connector.ErrPeerLeft), false, ErrPeerLeft},
		{fmt.Errorf("connector: peer dropped: %w (%w)", net.ErrClosed, connector.ErrEvicted), false, ErrPeerReset},
	} {
		got := classify(tc.err, tc.bye)
		if !errors.Is(got, tc.want) || !errors.Is(got, tc.err) {
			t.Errorf("classify(%v, %v) = %v, want %v wrapping the cause", tc.err, tc.bye, got, tc.want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestSixteenPeers: 16 rooms discover each other on loopback; a SendAll
// of each reaches the 15 others.
func TestSixteenPeers(t *testing.T) {
	leakcheck.Check(t)
	if testing.Short() {
		t.Skip("16 rooms: not with -short")
	}
	ms := lan(t, 16)
	for _, m := range ms {
		if err := m.SendAll(&note{S: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	got := make(map[*member]map[PeerID]int)
	until(t, "every SendAll to reach every peer", func() bool {
		done := true
		for _, m := range ms {
			if got[m] == nil {
				got[m] = make(map[PeerID]int)
			}
			for _, msg := range m.notes() {
				got[m][msg.Peer]++
			}
			if len(got[m]) != 15 {
				done = false
			}
		}
		return done
	}, ms...)
	for m, from := range got {
		for id, k := range from {
			if k != 1 || id == m.ID() {
				t.Errorf("room %016x got %d from %016x", m.ID(), k, id)
			}
		}
	}
}

// TestShutdown: Shutdown delivers everything queued, more than one direct
// write, then the goodbye: the peer gets every message, then a clean
// leave.
func TestShutdown(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	c := dialer(t, srv.Addr().String())
	until(t, "c to join", func() bool { return len(srv.Peers()) == 1 && len(c.Peers()) == 1 }, srv, c)
	const n = 100 // 25 KB
	for range n {
		if err := c.SendAll(&note{S: strings.Repeat("x", 250)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := 0
	until(t, "the messages and the leave", func() bool {
		got += len(srv.notes())
		_, left := leftOf(srv, c.ID())
		return left
	}, srv)
	got += len(srv.notes())
	if got != n {
		t.Errorf("got %d messages, want %d", got, n)
	}
	if reason, _ := leftOf(srv, c.ID()); !errors.Is(reason, ErrPeerLeft) {
		t.Errorf("reason %v, want ErrPeerLeft", reason)
	}
}

// TestLeaveOnLAN: a discovered room that closes is a clean leave for the
// others, and it is not connected again.
func TestLeaveOnLAN(t *testing.T) {
	leakcheck.Check(t)
	ms := lan(t, 3)
	gone := ms[2]
	id := gone.ID()
	gone.Close()
	until(t, "the others to see it leave", func() bool {
		_, a := leftOf(ms[0], id)
		_, b := leftOf(ms[1], id)
		return a && b
	}, ms[0], ms[1])
	for _, m := range ms[:2] {
		if reason, _ := leftOf(m, id); !errors.Is(reason, ErrPeerLeft) {
			t.Errorf("reason %v, want ErrPeerLeft", reason)
		}
		if hasPeer(m, id) {
			t.Errorf("%016x still in the room", uint64(id))
		}
	}
}

// TestFrozenPeer: with known addresses (no discovery), a peer that stops
// sending anything (frozen: it neither writes nor reads) leaves with
// ErrPeerTimeout; a live peer, whose room pings, stays.
func TestFrozenPeer(t *testing.T) {
	leakcheck.Check(t)
	cfg := Config{Interval: 100 * time.Millisecond, PeerTimeout: 2 * time.Second}
	srv := listener(t, cfg)
	live, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Dial: []string{srv.Addr().String()},
		Interval: cfg.Interval, PeerTimeout: cfg.PeerTimeout})
	if err != nil {
		t.Fatal(err)
	}
	lm := &member{Room: live}
	defer live.Close()
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	frozen, err := messenger.New(context.Background(), conn, newCodec(), &messenger.Options{AppID: "room-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer frozen.Close()
	id := PeerID(frozen.Local().PeerID)
	until(t, "both to join", func() bool { return len(srv.Peers()) == 2 }, srv, lm)
	until(t, "the frozen peer to time out", func() bool { _, ok := leftOf(srv, id); return ok }, srv, lm)
	if reason, _ := leftOf(srv, id); !errors.Is(reason, ErrPeerTimeout) {
		t.Errorf("reason %v, want ErrPeerTimeout", reason)
	}
	if !hasPeer(srv, live.ID()) {
		t.Errorf("the live peer left too: %v", srv.events)
	}
}

// TestConfigErrors: out-of-range fields are refused with ErrInvalidConfig.
func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Interval: time.Second, PeerTimeout: time.Second, Listen: "127.0.0.1:0"},
		{HelloTimeout: -1, Listen: "127.0.0.1:0"},
		{MaxWork: -1, Listen: "127.0.0.1:0"},
		{AppID: strings.Repeat("a", 65), Listen: "127.0.0.1:0"},
	} {
		if r, err := New(context.Background(), &cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v): %v, want ErrInvalidConfig", cfg, err)
			if r != nil {
				r.Close()
			}
		}
	}
}

// TestStalledLoop: a game loop that does not run for longer than the peer
// timeout (a loading screen) does not lose its peers: their pings wait
// unread, and the gap is not counted against them.
func TestStalledLoop(t *testing.T) {
	leakcheck.Check(t)
	cfg := Config{Interval: 20 * time.Millisecond, PeerTimeout: 100 * time.Millisecond}
	srv := listener(t, cfg)
	r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Dial: []string{srv.Addr().String()},
		Interval: 20 * time.Second, PeerTimeout: 60 * time.Second}) // pings once: its first Xfer
	if err != nil {
		t.Fatal(err)
	}
	c := &member{Room: r}
	defer c.Close()
	until(t, "c to join", func() bool { return len(srv.Peers()) == 1 }, srv, c)
	pump(c) // c's ping of its first Xfers is out; it sends nothing more for 20 s
	// srv stalls past its PeerTimeout: not a synchronisation, the stall
	// under test.
	time.Sleep(3 * cfg.PeerTimeout)
	pump(srv)
	if !hasPeer(srv, c.ID()) {
		t.Fatalf("the peer was dropped after the loop stalled: %v", srv.events)
	}
	// And a peer that stays silent while the loop runs is dropped.
	until(t, "the silent peer to time out", func() bool { _, ok := leftOf(srv, c.ID()); return ok }, srv)
	if reason, _ := leftOf(srv, c.ID()); !errors.Is(reason, ErrPeerTimeout) {
		t.Errorf("reason %v, want ErrPeerTimeout", reason)
	}
}

// TestHelloTimeout: a connection that never completes its hello is
// refused after HelloTimeout, while the loop goes on.
func TestHelloTimeout(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{HelloTimeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	until(t, "the refusal", func() bool { return len(srv.events) > 0 }, srv)
	r, ok := srv.events[0].(Rejected)
	if !ok || !errors.Is(r.Reason, ErrHello) || !errors.Is(r.Reason, context.DeadlineExceeded) {
		t.Errorf("event %#v, want Rejected wrapping ErrHello and the deadline", srv.events[0])
	}
}
