package room

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// TestGameLoopWithMisbehavingPeers: while one peer stalls in its hello,
// one floods frames the codec skips and one never reads, every Xfer of
// the game loop returns, a well-behaved peer gets every message, and the
// peer that never reads costs only ErrQueueFull for itself.
func TestGameLoopWithMisbehavingPeers(t *testing.T) {
	leakcheck.Check(t)
	// The bare Messengers below never ping: a PeerTimeout of a minute keeps
	// them in however long a loaded machine takes to fill the queue (the
	// default, 4 s, dropped them on a loaded 2-core machine).
	srv := listener(t, Config{MaxWriteQueue: 4 << 10, HelloTimeout: 60e9, PeerTimeout: 60e9})
	addr := srv.Addr().String()
	good := dialer(t, addr)

	// Stalls: half a hello, then nothing.
	stall, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Close()
	stall.Write([]byte("CC"))

	bare := func(rcvbuf int) *messenger.Messenger {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if rcvbuf > 0 {
			_ = conn.(*net.TCPConn).SetReadBuffer(rcvbuf) // fills sooner
		}
		m, err := messenger.New(context.Background(), conn, newCodec(), &messenger.Options{AppID: "room-test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	// Floods frames of an unknown type (code 0x7f), written straight to
	// the socket, until the test ends.
	flood := bare(0)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		junk := bytes.Repeat([]byte{3, 0x7f, 0}, 1000)
		for {
			if _, err := flood.Conn().Write(junk); err != nil {
				return
			}
		}
	}()
	defer wg.Wait()
	defer flood.Close()
	// Never reads: the room's queue to it fills.
	deaf := bare(4 << 10)

	until(t, "the three peers to join", func() bool { return len(srv.Peers()) == 3 }, srv, good)

	big := &note{S: strings.Repeat("x", 250)}
	deafID := PeerID(deaf.Local().PeerID)
	sent, full := 0, false
	var got []Message
	until(t, "the queue to the deaf peer to fill", func() bool {
		for range 8 {
			switch err := srv.Send(deafID, big); {
			case errors.Is(err, messenger.ErrQueueFull):
				full = true
			case err != nil:
				t.Fatal(err)
			}
			switch err := srv.Send(good.ID(), big); {
			case err == nil:
				sent++
			case !errors.Is(err, messenger.ErrQueueFull): // full: the next frame
				t.Fatal(err)
			}
		}
		got = append(got, good.notes()...)
		return full
	}, srv, good)
	until(t, "the good peer to get every message", func() bool {
		got = append(got, good.notes()...)
		return len(got) >= sent
	}, srv, good)
	if len(got) != sent {
		t.Errorf("the good peer got %d messages, want %d", len(got), sent)
	}
	if ids := srv.Peers(); len(ids) != 3 {
		t.Errorf("peers %v: the misbehaving ones should still be in (nothing fatal)", ids)
	}
	st := srv.byID[PeerID(flood.Local().PeerID)].m.Stats()
	if st.SkippedUnknownType == 0 {
		t.Errorf("no frame of the flood was skipped: %+v", st)
	}
}

// TestRejectedCodec: a peer with another codec is refused by the hello.
func TestRejectedCodec(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	other, err := New(context.Background(), &Config{AppID: "room-test", Codec: message.NewJSONCodec(nil), Dial: []string{srv.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	until(t, "the refusal", func() bool {
		for _, ev := range srv.events {
			if r, ok := ev.(Rejected); ok {
				var he *messenger.HelloError
				if !errors.As(r.Reason, &he) || he.Field != "codec" || !errors.Is(r.Reason, ErrHello) {
					t.Fatalf("reason %v, want ErrHello with a codec HelloError", r.Reason)
				}
				return true
			}
		}
		return false
	}, srv)
}

// TestTooManyGroups: a peer that announces more than MaxGroups groups, or
// asks for items of more than MaxGroups queues, is dropped with
// ErrPeerProtocol; the room's tables stay bounded.
func TestTooManyGroups(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{})
	for _, announce := range []func(i int) message.Message{
		func(i int) message.Message { return &ctrlJoin{groupField{fmt.Sprint("g", i)}} },
		func(i int) message.Message { return &ctrlNotify{G: fmt.Sprint("q", i), N: 1} },
	} {
		conn, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		m := controlPeer(t, conn)
		defer m.Close()
		for i := range MaxGroups + 1 {
			if err := m.Send(announce(i)); err != nil {
				t.Fatal(err)
			}
		}
		id := PeerID(m.Local().PeerID)
		until(t, "the peer to be dropped", func() bool {
			_ = m.Xfer()
			_, ok := leftOf(srv, id)
			return ok
		}, srv)
		if reason, _ := leftOf(srv, id); !errors.Is(reason, ErrPeerProtocol) {
			t.Errorf("reason %v, want ErrPeerProtocol", reason)
		}
	}
}
