package room

import (
	"context"
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// Run with: go test -run '^$' -bench . -benchmem ./room

// blob is a 64-byte byte frame (62 payload bytes).
type blob struct{ B [62]byte }

func (*blob) MessageName() string { return "blob" }
func (*blob) ByteCode() byte      { return 0x21 }
func (m *blob) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, m.B[:]...), nil
}
func (m *blob) DecodePayload(p []byte) error {
	if len(p) != len(m.B) {
		return errors.New("blob: bad length")
	}
	copy(m.B[:], p)
	return nil
}

func benchCodec() message.Codec {
	c := newCodec()
	message.Register[blob](c)
	return c
}

// star starts a host Room that listens and n guest Rooms that dial it, and
// waits until all are connected.
func star(b testing.TB, n int) (*member, []*member) {
	host := listener(b, Config{Codec: benchCodec()})
	guests := make([]*member, n)
	for i := range guests {
		r, err := New(context.Background(), &Config{AppID: "room-test", Codec: benchCodec(), Dial: []string{host.Addr().String()}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Close() })
		guests[i] = &member{Room: r}
	}
	all := append([]*member{host}, guests...)
	until(b, "the star to form", func() bool {
		if len(host.Peers()) != n {
			return false
		}
		for _, g := range guests {
			if len(g.Peers()) != 1 {
				return false
			}
		}
		return true
	}, all...)
	pump(all...)
	for _, m := range all {
		m.events = nil
	}
	return host, guests
}

// benchSendAll: the host SendAlls b.N 64-byte messages, in frames of 64
// (an Xfer after each), to n guests that each pump on a goroutine of their
// own. msgs/s is the messages delivered, in total, per second. A message
// that did not fit in a peer's write queue is lost for that peer (lost/op
// counts the SendAlls that lost one), as a game's would be; the host then
// waits (Flush) until the queues are written.
func benchSendAll(b *testing.B, n int) {
	host, guests := star(b, n)
	var delivered atomic.Int64
	var wg sync.WaitGroup
	for _, g := range guests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if err := g.Xfer(); err != nil {
					return
				}
				k := int64(0)
				for ev := g.Get(); ev != nil; ev = g.Get() {
					if m, ok := ev.(Message); ok {
						if _, end := m.Msg.(*note); end {
							delivered.Add(k)
							return
						}
						k++
					}
				}
				delivered.Add(k)
				if k == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	msg := &blob{}
	lost := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := host.SendAll(msg); err != nil {
			if !errors.Is(err, messenger.ErrQueueFull) {
				b.Fatal(err)
			}
			lost++
			if err := host.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		if i%64 == 63 {
			_ = host.Xfer()
		}
	}
	for _, id := range host.Peers() {
		for host.Send(id, &note{S: "end"}) != nil {
			_ = host.Xfer()
			runtime.Gosched()
		}
	}
	for flushing := true; flushing; {
		select {
		case <-done:
			flushing = false
		default:
			_ = host.Xfer()
			runtime.Gosched()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(delivered.Load())/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
}

func BenchmarkRoomSendAll1(b *testing.B) { benchSendAll(b, 1) }
func BenchmarkRoomSendAll8(b *testing.B) { benchSendAll(b, 8) }

// BenchmarkRoomXferIdle16: Xfer and Get of an idle room of 16 peers.
// BenchmarkMessengerXferIdle, the same on one bare Messenger, is its floor
// (the issue asks for at most 16 × it + 100 ns).
func BenchmarkRoomXferIdle16(b *testing.B) {
	host, _ := star(b, 16)
	b.ReportAllocs()
	for b.Loop() {
		_ = host.Xfer()
		if host.Get() != nil {
			b.Fatal("unexpected event")
		}
	}
}

func BenchmarkMessengerXferIdle(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		m   *messenger.Messenger
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- res{nil, err}
			return
		}
		m, err := messenger.New(context.Background(), c, benchCodec(), nil)
		ch <- res{m, err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	m, err := messenger.New(context.Background(), c, benchCodec(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	r := <-ch
	if r.err != nil {
		b.Fatal(r.err)
	}
	defer r.m.Close()
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Xfer()
		if m.Get() != nil {
			b.Fatal("unexpected message")
		}
	}
}

// BenchmarkRoomIdleMemory: the memory of a room of 16 idle peers (each
// has sent one message), per peer, as the growth of HeapInuse+StackInuse.
// Both ends are in this process: B/peer counts the host's end and the
// guest Room's (its own Room and Messenger), B/end half of it.
func BenchmarkRoomIdleMemory(b *testing.B) {
	inuse := func() uint64 {
		runtime.GC()
		runtime.GC()
		var st runtime.MemStats
		runtime.ReadMemStats(&st)
		return st.HeapInuse + st.StackInuse
	}
	const n = 16
	var per float64
	for b.Loop() {
		before := inuse()
		host, guests := star(b, n)
		for _, g := range guests {
			_ = g.SendAll(&blob{})
		}
		_ = host.SendAll(&blob{})
		k := 0
		until(b, "one message each way", func() bool {
			for _, m := range append([]*member{host}, guests...) {
				k += len(m.notes())
			}
			return k == 2*n
		}, append([]*member{host}, guests...)...)
		per = float64(inuse()-before) / n
		host.Close()
		for _, g := range guests {
			g.Close()
		}
	}
	b.ReportMetric(per, "B/peer")
	b.ReportMetric(per/2, "B/end")
}
