package relay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
)

// A relay that reads its subject slower than frames come in overflows
// the NATS client's pending limit: the drops are reported (OnError with
// ErrSlowConsumer, Stats.SlowConsumer and Dropped), never hidden, and the
// stream still delivers every byte by resending.
func TestSlowConsumer(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	var mu sync.Mutex
	var reported []error
	gate := make(chan struct{})
	var once sync.Once
	rcfg := &Config{URL: s.ClientURL(), PendingMsgs: 4, Window: 64 << 10, Retransmit: 20 * time.Millisecond,
		OnError: func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }}
	a := startSide(t, s.ClientURL(), 1, &Config{Window: 64 << 10, Retransmit: 20 * time.Millisecond})

	rl, err := New(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan room.TransportConn, 1)
	blocked := false
	rl.testRecv = func() {
		// After the open, hold the handler until the sender has written
		// far more frames than the pending limit.
		if blocked {
			<-gate
		}
	}
	if err := rl.Start(context.Background(), room.TransportInfo{AppID: "conn test", Self: 2, Interval: testInterval, PeerTimeout: testPeerTimeout,
		Accept: func(tc room.TransportConn) { blocked = true; got <- tc }}); err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	cb := (<-got).Conn
	ca := recvConn(t, a).Conn
	defer ca.Close()
	defer cb.Close()
	want := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB: many small frames
	errc := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < len(want) && err == nil; i += 512 {
			_, err = ca.Write(want[i : i+512])
		}
		if err == nil {
			err = ca.Close()
		}
		errc <- err
	}()
	waitFor(t, "the slow-consumer report", func() bool { return rl.Stats().SlowConsumer > 0 })
	once.Do(func() { close(gate) })
	data, err := io.ReadAll(cb)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Fatalf("got %d bytes, want %d", len(data), len(want))
	}
	st := rl.Stats()
	if st.Dropped == 0 {
		t.Fatalf("stats %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) == 0 || !errors.Is(reported[0], ErrSlowConsumer) {
		t.Fatalf("OnError got %v", reported)
	}
	t.Logf("receiver %+v; sender retransmits %d", st, a.relay.Stats().Retransmits)
}

// A client that publishes opens of made-up streams and beacons of
// made-up peers grows the relay's tables only up to MaxStreams and
// MaxPeers.
func TestFloodBounded(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	rl, err := New(&Config{URL: s.ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	if err := rl.Start(context.Background(), room.TransportInfo{AppID: "conn test", Self: 1, Interval: testInterval, PeerTimeout: time.Minute,
		Accept: func(room.TransportConn) { accepted.Add(1) }}); err != nil { // kept open, not expired: the tables stay full
		t.Fatal(err)
	}
	defer rl.Close()
	nc := newTap(t, s.ClientURL()).nc
	subj := newSubjects("conn test")
	for i := range uint64(MaxStreams + 200) {
		if err := nc.Publish(subj.peer(1), appendFrameHeader(nil, kindOpen, 1000+i, 5000+i, 0)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range uint64(MaxPeers + 200) {
		if err := nc.Publish(subj.presence, appendPresence(nil, presenceMsg{id: 1<<40 + i, epoch: 1})); err != nil {
			t.Fatal(err)
		}
	}
	_ = nc.Flush()
	waitFor(t, "the flood handled", func() bool { return rl.Stats().BadFrames >= 400 })
	st := rl.Stats()
	if st.Streams > MaxStreams || st.Peers > MaxPeers || accepted.Load() > MaxStreams {
		t.Fatalf("stats %+v, accepted %d", st, accepted.Load())
	}
}
