package relay

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/messenger"
	"github.com/nats-io/nats.go"
)

// The relay against plain nats.go on the same embedded server: run the
// four together (go test -run '^$' -bench Relay -benchmem ./relay).

var payload64 = strings.Repeat("x", 63) // + 1 type byte: 64-byte byte frames

// messengers returns two Messengers joined by a relay stream.
func messengers(b *testing.B) (*messenger.Messenger, *messenger.Messenger) {
	s := startServer(b, nil)
	ca, cb, _, _ := pair(b, s.ClientURL(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type res struct {
		m   *messenger.Messenger
		err error
	}
	out := make(chan res, 2)
	for i, c := range []*Conn{ca, cb} {
		go func() {
			m, err := messenger.New(ctx, c, newCodec(), &messenger.Options{AppID: "bench", PeerID: uint64(i + 1), PingInterval: -1})
			out <- res{m, err}
		}()
	}
	r1, r2 := <-out, <-out
	if r1.err != nil || r2.err != nil {
		b.Fatal(r1.err, r2.err)
	}
	b.Cleanup(func() { r1.m.Close(); r2.m.Close() })
	if r1.m.Remote().PeerID == 2 {
		return r1.m, r2.m
	}
	return r2.m, r1.m
}

// BenchmarkRelayThroughputByte: one Messenger sends 64-byte messages to
// another through a relay stream; msgs/s as the receiver gets them.
func BenchmarkRelayThroughputByte(b *testing.B) {
	tx, rx := messengers(b)
	msg := &note{S: payload64}
	done := make(chan int)
	go func() {
		got := 0
		for got < b.N {
			if err := rx.Xfer(); err != nil {
				break
			}
			for rx.Get() != nil {
				got++
			}
			if got < b.N {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_, _ = rx.Recv(ctx)
				got++
				cancel()
			}
		}
		done <- got
	}()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; {
		if err := tx.Send(msg); err == nil {
			sent++
			continue
		}
		if err := tx.Xfer(); err != nil {
			b.Fatal(err)
		}
		_ = tx.Flush(context.Background())
	}
	_ = tx.Flush(context.Background())
	if got := <-done; got < b.N {
		b.Fatalf("received %d of %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkRelayThroughputNATSFloor: plain nats.go publish -> subscribe
// of the same 64 bytes on the same kind of server.
func BenchmarkRelayThroughputNATSFloor(b *testing.B) {
	s := startServer(b, nil)
	pub, sub := natsPair(b, s.ClientURL())
	var got atomic.Int64
	done := make(chan struct{})
	n := int64(b.N)
	if _, err := sub.Subscribe("floor", func(*nats.Msg) {
		if got.Add(1) == n {
			close(done)
		}
	}); err != nil {
		b.Fatal(err)
	}
	_ = sub.Flush()
	data := []byte(payload64 + "x")
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if err := pub.Publish("floor", data); err != nil {
			b.Fatal(err)
		}
	}
	_ = pub.Flush()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		b.Fatalf("received %d of %d (slow consumer drops?)", got.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

func natsPair(b *testing.B, url string) (*nats.Conn, *nats.Conn) {
	pub, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	sub, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pub.Close(); sub.Close() })
	return pub, sub
}

// BenchmarkRelayRoundTrip: ns/op is one round trip of a 64-byte message
// between two Messengers through relay streams (each end waits in Recv).
func BenchmarkRelayRoundTrip(b *testing.B) {
	a, z := messengers(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	echoed := make(chan struct{})
	go func() {
		defer close(echoed)
		for {
			m, err := z.Recv(ctx)
			if err != nil {
				return
			}
			if z.Send(m) != nil || z.Xfer() != nil {
				return
			}
		}
	}()
	msg := &note{S: payload64}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := a.Send(msg); err != nil {
			b.Fatal(err)
		}
		if err := a.Xfer(); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Recv(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cancel()
	<-echoed
}

// BenchmarkRelayRoundTripNATSFloor: plain nats.go request/reply of the
// same 64 bytes.
func BenchmarkRelayRoundTripNATSFloor(b *testing.B) {
	s := startServer(b, nil)
	req, rep := natsPair(b, s.ClientURL())
	if _, err := rep.Subscribe("rt", func(m *nats.Msg) { _ = m.Respond(m.Data) }); err != nil {
		b.Fatal(err)
	}
	_ = rep.Flush()
	data := []byte(payload64 + "x")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := req.Request("rt", data, 10*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
