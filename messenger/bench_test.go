package messenger

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// The benchmarks run over loopback TCP with 18-byte position frames. The
// *RawFloor ones move the same frames through a plain bufio.Writer and
// bufio.Reader pair, encoding and decoding by hand: the floor of the
// machine, measured in the same run.

var tcpTransport = transports[1]

// drain receives n messages on m in a goroutine, pumping with Xfer and
// Get; when there is nothing to Get it blocks in Recv, as a program that
// waits for the next frame would, instead of spinning.
func drain(b *testing.B, m *Messenger, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		got := 0
		for got < n {
			msg, err := m.Recv(ctx)
			if err != nil {
				var de *message.DecodeError
				if errors.As(err, &de) {
					done <- err
					return
				}
				done <- err
				return
			}
			_ = msg
			got++
			for got < n && m.Get() != nil {
				got++
			}
		}
		done <- nil
	}()
	return done
}

func benchThroughput(b *testing.B, codec func() message.Codec) {
	snd, rcv := newPair(b, tcpTransport, pairConfig{codecA: codec(), codecB: codec()})
	p := &position{ID: 1, X: 1.5, Y: -2, Z: 0.25}
	n := b.N
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	done := drain(b, rcv, n)
	for sent := 0; sent < n; {
		for i := 0; i < 64 && sent < n; i++ {
			if err := snd.Send(p); err != nil {
				if err != ErrQueueFull {
					b.Fatal(err)
				}
				// Wait for room, as a program without other work would.
				if os.Getenv("SPIN") != "" {
					runtime.Gosched()
				} else if err := snd.Flush(ctx); err != nil {
					b.Fatal(err)
				}
				break
			}
			sent++
		}
		if err := snd.Xfer(); err != nil {
			b.Fatal(err)
		}
	}
	flushAll(b, snd)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkThroughputByte: the sender queues 64 messages per Xfer, the
// receiver drains; one op is one message.
func BenchmarkThroughputByte(b *testing.B) { benchThroughput(b, byteCodec) }

// BenchmarkThroughputJSON is BenchmarkThroughputByte with the JSON codec.
func BenchmarkThroughputJSON(b *testing.B) { benchThroughput(b, jsonCodec) }

// BenchmarkThroughputMsgpack is BenchmarkThroughputByte with the msgpack codec.
func BenchmarkThroughputMsgpack(b *testing.B) { benchThroughput(b, msgpackCodec) }

// BenchmarkThroughputRawFloor moves the same frames through bufio on a TCP
// connection, encoding and decoding them by hand.
func BenchmarkThroughputRawFloor(b *testing.B) {
	c1, c2 := tcpPair(b)
	defer c1.Close()
	defer c2.Close()
	n := b.N
	b.ReportAllocs()
	b.ResetTimer()
	werr := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(c1)
		p := &position{ID: 1, X: 1.5, Y: -2, Z: 0.25}
		for range n {
			buf := append(w.AvailableBuffer(), 18, 0x10)
			buf, _ = p.AppendPayload(buf)
			if _, err := w.Write(buf); err != nil {
				werr <- err
				return
			}
		}
		werr <- w.Flush()
	}()
	r := bufio.NewReader(c2)
	var p position
	for range n {
		if err := readRawFrame(r, &p); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-werr; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// readRawFrame reads one position frame from r into p, without copying.
func readRawFrame(r *bufio.Reader, p *position) error {
	hdr, err := r.Peek(2)
	if err != nil {
		return err
	}
	size := int(hdr[0])
	frame, err := r.Peek(size)
	if err != nil {
		return err
	}
	if frame[1] != 0x10 {
		return errors.New("not a position frame")
	}
	if err := p.DecodePayload(frame[2:]); err != nil {
		return err
	}
	_, err = r.Discard(size)
	return err
}

// BenchmarkRoundTripByte: one goroutine pumps both Messengers with Xfer and
// Get; one op is a position sent, echoed by the peer and received back.
func BenchmarkRoundTripByte(b *testing.B) {
	cli, srv := newPair(b, tcpTransport, pairConfig{})
	p := &position{ID: 1, X: 1.5, Y: -2, Z: 0.25}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := cli.Send(p); err != nil {
			b.Fatal(err)
		}
		if err := cli.Xfer(); err != nil {
			b.Fatal(err)
		}
		for {
			if err := srv.Xfer(); err != nil {
				b.Fatal(err)
			}
			if msg := srv.Get(); msg != nil {
				if err := srv.Send(msg); err != nil {
					b.Fatal(err)
				}
				if err := srv.Xfer(); err != nil {
					b.Fatal(err)
				}
				break
			}
		}
		for {
			if err := cli.Xfer(); err != nil {
				b.Fatal(err)
			}
			if cli.Get() != nil {
				break
			}
		}
	}
}

// BenchmarkRoundTripRawFloor: the same ping-pong with bufio and blocking
// reads, the echo in its own goroutine.
func BenchmarkRoundTripRawFloor(b *testing.B) {
	c1, c2 := tcpPair(b)
	defer c1.Close()
	go func() {
		defer c2.Close()
		r, w := bufio.NewReader(c2), bufio.NewWriter(c2)
		var p position
		for {
			if err := readRawFrame(r, &p); err != nil {
				return
			}
			buf := append(w.AvailableBuffer(), 18, 0x10)
			buf, _ = p.AppendPayload(buf)
			w.Write(buf)
			if w.Flush() != nil {
				return
			}
		}
	}()
	r, w := bufio.NewReader(c1), bufio.NewWriter(c1)
	p := &position{ID: 1, X: 1.5, Y: -2, Z: 0.25}
	var q position
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf := append(w.AvailableBuffer(), 18, 0x10)
		buf, _ = p.AppendPayload(buf)
		w.Write(buf)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := readRawFrame(r, &q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkXferIdle: one Xfer and one Get on a connected Messenger with
// nothing to move.
func BenchmarkXferIdle(b *testing.B) {
	m, _ := newPair(b, tcpTransport, pairConfig{})
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Xfer(); err != nil {
			b.Fatal(err)
		}
		if m.Get() != nil {
			b.Fatal("unexpected message")
		}
	}
}

// BenchmarkSend: Send of one position; every 4096 messages an Xfer writes
// them (that write is included, spread over the 4096), and the peer
// drains in its own goroutine.
func BenchmarkSend(b *testing.B) {
	snd, rcv := newPair(b, tcpTransport, pairConfig{optsA: &Options{MaxWriteQueue: 1 << 20}})
	p := &position{ID: 1, X: 1.5, Y: -2, Z: 0.25}
	n := b.N
	done := drain(b, rcv, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range n {
		for {
			err := snd.Send(p)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrQueueFull) {
				b.Fatal(err)
			}
			if err := snd.Xfer(); err != nil {
				b.Fatal(err)
			}
			runtime.Gosched()
		}
		if i%4096 == 4095 {
			if err := snd.Xfer(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	flushAll(b, snd)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// flushAll pumps m until its write queue is empty.
func flushAll(b *testing.B, m *Messenger) {
	for {
		if err := m.Xfer(); err != nil {
			b.Fatal(err)
		}
		if m.Stats().WriteQueue == 0 {
			return
		}
		runtime.Gosched()
	}
}

// BenchmarkIdleMemory reports the memory of one idle connected Messenger
// over TCP, goroutine stack, buffers and the conn included: it creates b.N
// connected pairs and divides the growth of HeapInuse+StackInuse by 2*b.N.
func BenchmarkIdleMemory(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	var ms []*Messenger
	defer func() {
		for _, m := range ms {
			m.Close()
		}
	}()
	inuse := func() uint64 {
		runtime.GC()
		runtime.GC()
		var st runtime.MemStats
		runtime.ReadMemStats(&st)
		return st.HeapInuse + st.StackInuse
	}
	before := inuse()
	b.ResetTimer()
	for range b.N {
		ca, cb := dialPair(b, ln)
		a, c, errA, errB := newBoth(ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec()})
		if errA != nil || errB != nil {
			b.Fatal(errA, errB)
		}
		ms = append(ms, a, c)
	}
	b.StopTimer()
	after := inuse()
	b.ReportMetric(float64(after-before)/float64(len(ms)), "B/messenger")
	runtime.KeepAlive(ms)
}

func dialPair(b *testing.B, ln net.Listener) (net.Conn, net.Conn) {
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	c := <-accepted
	if c == nil {
		b.Fatal("accept failed")
	}
	return a, c
}
