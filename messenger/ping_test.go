package messenger

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// fastPings pings every 5 ms.
func fastPings(o Options) *Options {
	o.PingInterval = 5 * time.Millisecond
	return &o
}

// TestPingRTT: pings give non-zero, consistent round-trip figures on both
// sides, over every transport, plain and secure, and never reach Get.
func TestPingRTT(t *testing.T) {
	for _, secret := range []string{"", "correct horse"} {
		name := "plain"
		if secret != "" {
			name = "secure"
		}
		t.Run(name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				o := Options{}
				if secret != "" {
					o.Secret = []byte(secret)
				}
				oa, ob := *fastPings(o), *fastPings(o)
				oa.PeerID, ob.PeerID = 1, 2
				a, b := newPair(t, tr, pairConfig{optsA: &oa, optsB: &ob})
				sent, got := 0, 0
				poll(t, "3 pongs each way", func() bool {
					if err := a.Send(&position{ID: uint32(sent)}); err == nil {
						sent++
					}
					xferOK(t, a, b)
					for _, m := range []*Messenger{a, b} {
						for msg := m.Get(); msg != nil; msg = m.Get() {
							p, ok := msg.(*position)
							if !ok || m != b || p.ID != uint32(got) {
								t.Fatalf("Get returned %T %+v, want position %d on b", msg, msg, got)
							}
							got++
						}
					}
					return a.Stats().PongsIn >= 3 && b.Stats().PongsIn >= 3
				})
				for _, m := range []*Messenger{a, b} {
					var s Stats
					m.ReadStats(&s)
					if s.LastRTT <= 0 || s.MinRTT <= 0 || s.MinRTT > s.SmoothedRTT || s.MinRTT > s.LastRTT ||
						s.RTTVar < 0 || s.Jitter < 0 || s.PingsOut < s.PongsIn || s.PingsIn == 0 {
						t.Errorf("inconsistent figures: %+v", s)
					}
					if s.ClockOffset > time.Second || s.ClockOffset < -time.Second {
						t.Errorf("ClockOffset %v between two ends on one machine", s.ClockOffset)
					}
					if s.SmoothedRTT > 10*time.Second {
						t.Errorf("SmoothedRTT %v on a local connection", s.SmoothedRTT)
					}
				}
				var st Stats
				if b.ReadStats(&st); st.MessagesIn != uint64(got) || st.SkippedFrames != 0 {
					t.Errorf("b: %d messages got, Stats %+v", got, st)
				}
			})
		})
	}
}

// frozenPeer returns a Messenger whose peer, a raw conn, completed the
// hello and then neither reads nor writes.
func frozenPeer(t *testing.T, tr transport, opts *Options) *Messenger {
	t.Helper()
	_, m := rawPeer(t, tr.pair, opts)
	return m
}

// rawPeer returns the raw peer conn of a new pair and a Messenger with
// opts on the other end, after the hello, which the raw side completes
// itself.
func rawPeer(t *testing.T, pair func(testing.TB) (net.Conn, net.Conn), opts *Options) (net.Conn, *Messenger) {
	t.Helper()
	ca, cb := pair(t)
	t.Cleanup(func() { cb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := exchangeHello(ctx, cb, Hello{Version: ProtocolVersion, Codec: "byte", PeerID: 99})
		done <- err
	}()
	m, err := New(ctx, ca, byteCodec(), opts)
	if herr := <-done; err != nil || herr != nil {
		ca.Close()
		t.Fatalf("New: %v, raw hello: %v", err, herr)
	}
	t.Cleanup(func() { m.Close() })
	return cb, m
}

// TestPeerTimeout: a peer that goes silent after the hello is reported
// with ErrPeerTimeout, not as a clean close, by Xfer and then Send.
func TestPeerTimeout(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		o := fastPings(Options{})
		o.PeerTimeout = 100 * time.Millisecond
		m := frozenPeer(t, tr, o)
		err := xferUntilErr(t, m)
		if !errors.Is(err, ErrPeerTimeout) || errors.Is(err, ErrPeerClosed) || errors.Is(err, io.EOF) {
			t.Fatalf("Xfer = %v, want ErrPeerTimeout", err)
		}
		if serr := m.Send(&position{}); serr != err {
			t.Errorf("Send after the timeout = %v, want %v", serr, err)
		}
		if st := m.Stats(); st.PingsOut == 0 {
			t.Errorf("no ping sent before the timeout: %+v", st)
		}
	})
}

// TestPeerTimeoutRecv: Recv, which blocks, also ends with ErrPeerTimeout.
func TestPeerTimeoutRecv(t *testing.T) {
	o := fastPings(Options{})
	o.PeerTimeout = 100 * time.Millisecond
	m := frozenPeer(t, transports[1], o)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := m.Recv(ctx); !errors.Is(err, ErrPeerTimeout) {
		t.Fatalf("Recv = %v, want ErrPeerTimeout", err)
	}
}

// TestPingsOff: with a negative PingInterval a frozen peer is not timed
// out and nothing is sent, but the peer's pings are still answered.
func TestPingsOff(t *testing.T) {
	m := frozenPeer(t, transports[1], &Options{PingInterval: -1, PeerTimeout: time.Millisecond})
	poll(t, "a few Xfers", func() bool {
		xferOK(t, m)
		return m.Stats().BytesOut == 0 && time.Since(m.heardAt) > 50*time.Millisecond
	})
	xferOK(t, m)

	oa := fastPings(Options{})
	a, b := newPair(t, transports[1], pairConfig{optsA: oa, optsB: &Options{PingInterval: -1}})
	poll(t, "pongs from a side without pings", func() bool {
		xferOK(t, a, b)
		for a.Get() != nil || b.Get() != nil {
		}
		return a.Stats().PongsIn >= 2
	})
	if st := b.Stats(); st.PingsOut != 0 || st.PingsIn == 0 {
		t.Errorf("b (pings off): %+v", st)
	}
}

// TestCompatNoPing: a Compat Messenger sends no ping: the raw peer gets
// exactly the frames sent, around several ticks.
func TestCompatNoPing(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), *fastPings(Options{}))
		got := make(chan []byte, 1)
		go func() {
			buf := make([]byte, 36)
			_ = raw.SetReadDeadline(time.Now().Add(20 * time.Second))
			n, _ := io.ReadFull(raw, buf)
			got <- buf[:n]
		}()
		if err := m.Send(&position{ID: 1}); err != nil {
			t.Fatal(err)
		}
		poll(t, "ticks", func() bool {
			xferOK(t, m)
			return m.ticks >= 5
		})
		if err := m.Send(&position{ID: 2}); err != nil {
			t.Fatal(err)
		}
		xferOK(t, m)
		want := append(positionFrame(1), positionFrame(2)...)
		if b := <-got; !bytes.Equal(b, want) {
			t.Fatalf("raw peer got % x, want % x", b, want)
		}
		poll(t, "36 bytes out", func() bool {
			xferOK(t, m)
			return m.Stats().BytesOut == 36
		})
		if st := m.Stats(); st.PingsOut != 0 {
			t.Errorf("Stats %+v, want no pings", st)
		}
	})
}

// TestStatsRatesAndQueueAge: rates appear after a window; a queue that
// cannot drain (the peer does not read) has a growing age.
func TestStatsRatesAndQueueAge(t *testing.T) {
	a, b := newPair(t, transports[1], pairConfig{optsA: fastPings(Options{}), optsB: fastPings(Options{})})
	poll(t, "rates", func() bool {
		_ = a.Send(&position{})
		xferOK(t, a, b)
		for b.Get() != nil {
		}
		sa, sb := a.Stats(), b.Stats()
		return sa.MessagesOutRate > 0 && sa.BytesOutRate > 0 && sb.MessagesInRate > 0 && sb.BytesInRate > 0
	})

	_, m := compatMessenger(t, transports[0], byteCodec(), Options{}) // a net.Pipe nobody reads
	if err := m.Send(&position{}); err != nil {
		t.Fatal(err)
	}
	xferOK(t, m)
	poll(t, "a queue age", func() bool {
		xferOK(t, m)
		var s Stats
		m.ReadStats(&s)
		return s.WriteQueue == 18 && s.WriteQueueAge > time.Millisecond && m.Stats().WriteQueueAge > time.Millisecond
	})
}

// TestStatsAllocs: reading the figures allocates nothing.
func TestStatsAllocs(t *testing.T) {
	a, b := newPair(t, transports[1], pairConfig{})
	_ = a.Send(&position{})
	recvN(t, b, 1, a)
	var s Stats
	if n := testing.AllocsPerRun(100, func() { a.ReadStats(&s) }); n != 0 {
		t.Errorf("ReadStats: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { s = b.Stats() }); n != 0 {
		t.Errorf("Stats: %v allocations", n)
	}
}

// TestControlFrames: control frames between codec frames, split at every
// byte, are taken out of the stream; a zero byte that does not start a
// control frame goes to the codec.
func TestControlFrames(t *testing.T) {
	raw, m := nativeRaw(t)
	var stream []byte
	stream = append(stream, positionFrame(1)...)
	stream = append(stream, 0, ctlPing, 8, 1, 2, 3, 4, 5, 6, 7, 8)
	stream = append(stream, 0, 77, 3, 'x', 'y', 'z') // an unknown kind: skipped
	stream = append(stream, positionFrame(2)...)
	go func() {
		for i := range stream {
			if _, err := raw.Write(stream[i : i+1]); err != nil {
				return
			}
		}
	}()
	msgs := recvN(t, m, 2)
	if msgs[0].(*position).ID != 1 || msgs[1].(*position).ID != 2 {
		t.Fatalf("got %+v %+v", msgs[0], msgs[1])
	}
	xferOK(t, m) // publishes the figures, sends the pong
	if st := m.Stats(); st.PingsIn != 1 || st.SkippedFrames != 0 || st.MessagesIn != 2 {
		t.Errorf("Stats %+v, want 1 ping in, 2 messages, nothing skipped", st)
	}
	// The pong echoes t1.
	pong := make([]byte, 3+ctlPongBody)
	_ = raw.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(raw, pong); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pong[:11], []byte{0, ctlPong, 24, 1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("pong % x", pong)
	}
}

// nativeRaw returns a native Messenger (pings off) over TCP and the raw
// peer conn, after the hello.
func nativeRaw(t *testing.T) (net.Conn, *Messenger) {
	t.Helper()
	return rawPeer(t, tcpPair, &Options{PingInterval: -1})
}

// FuzzControl: the control frame parser never panics and never claims
// more bytes than it was given.
func FuzzControl(f *testing.F) {
	f.Add(byte(1), []byte{0, ctlPing, 8, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(byte(4), []byte{0, 0, 0, 0, ctlPong, 24})
	f.Add(byte(1), []byte{0, ctlPong, 0})
	f.Add(byte(4), []byte{0, 0, 1})
	f.Add(byte(1), []byte{0, 0, 0})
	f.Add(byte(1), []byte{0})
	f.Fuzz(func(t *testing.T, pre byte, b []byte) {
		m := &Messenger{opts: Options{MaxWriteQueue: 1 << 10}, ctlPre: 1 + int(pre%4)}
		m.pingT1, m.pingAt = 0x0102030405060708, time.Now()
		n := m.control(b)
		if n < -1 || n > len(b) || n > ctlMaxFrame {
			t.Fatalf("control(% x) = %d", b, n)
		}
		if len(m.wq) > 1<<10 {
			t.Fatalf("write queue %d bytes", len(m.wq))
		}
	})
}

// TestPingCodecs: pings work with the JSON and msgpack codecs (prefixes of
// 1 and 4 bytes) while messages flow.
func TestPingCodecs(t *testing.T) {
	for _, c := range []struct {
		name  string
		codec func() message.Codec
	}{{"json", jsonCodec}, {"msgpack", msgpackCodec}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, b := newPair(t, transports[1], pairConfig{codecA: c.codec(), codecB: c.codec(), optsA: fastPings(Options{}), optsB: fastPings(Options{})})
			got := 0
			poll(t, "pongs", func() bool {
				_ = a.Send(&position{ID: uint32(got)})
				xferOK(t, a, b)
				for msg := b.Get(); msg != nil; msg = b.Get() {
					if _, ok := msg.(*position); !ok {
						t.Fatalf("Get returned %T", msg)
					}
					got++
				}
				for msg := a.Get(); msg != nil; msg = a.Get() {
					t.Fatalf("a: Get returned %T", msg)
				}
				// A pong that comes after the next ping (5 ms) is stale and
				// gives no figures: wait for one that gave them.
				return a.Stats().PongsIn >= 2 && b.Stats().PongsIn >= 2 && b.Stats().LastRTT > 0 && got > 0
			})
			if st := b.Stats(); st.SkippedFrames != 0 || st.LastRTT <= 0 {
				t.Errorf("b: %+v", st)
			}
		})
	}
}

// TestZeroBytesStillFail: bytes that are not a control frame (kind 0) go
// to the codec, which fails on them as before.
func TestZeroBytesStillFail(t *testing.T) {
	raw, m := nativeRaw(t)
	if _, err := raw.Write([]byte{0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	var de *message.DecodeError
	if err := xferUntilErr(t, m); !errors.As(err, &de) {
		t.Fatalf("Xfer = %v, want a fatal *message.DecodeError", err)
	}
}

// TestPongStampedAtWrite: a pong's t3 is the time Xfer wrote it, not the
// time Get took the ping (t2), so the pinger does not count this side's
// wait for Xfer as round trip.
func TestPongStampedAtWrite(t *testing.T) {
	raw, m := nativeRaw(t)
	if _, err := raw.Write([]byte{0, ctlPing, 8, 1, 2, 3, 4, 5, 6, 7, 8}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the ping", func() bool {
		xferOK(t, m)
		for m.Get() != nil {
		}
		return m.fig.pingsIn == 1 // the pong is queued, not written
	})
	taken := time.Now()
	poll(t, "2 ms to pass", func() bool { return time.Since(taken) > 2*time.Millisecond })
	xferOK(t, m)
	pong := make([]byte, 3+ctlPongBody)
	_ = raw.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(raw, pong); err != nil {
		t.Fatal(err)
	}
	t2 := int64(binary.BigEndian.Uint64(pong[11:]))
	t3 := int64(binary.BigEndian.Uint64(pong[19:]))
	if d := time.Duration(t3 - t2); d < 2*time.Millisecond {
		t.Errorf("t3 - t2 = %v, want at least the 2 ms between Get and Xfer", d)
	}
}

// TestPeerTimeoutForgivesStall: an application that does not call Xfer
// for longer than the peer timeout (a loading screen) does not lose a
// peer for that gap; a peer that stays silent while it runs is still
// reported.
func TestPeerTimeoutForgivesStall(t *testing.T) {
	o := fastPings(Options{})
	o.PeerTimeout = 50 * time.Millisecond
	m := frozenPeer(t, transports[1], o)
	xferOK(t, m)
	// The stall under test, not a synchronisation.
	time.Sleep(4 * o.PeerTimeout)
	if err := m.Xfer(); err != nil {
		t.Fatalf("Xfer after the stall = %v, want nil (the gap is the application's)", err)
	}
	if err := xferUntilErr(t, m); !errors.Is(err, ErrPeerTimeout) {
		t.Fatalf("Xfer = %v, want ErrPeerTimeout", err)
	}
}
