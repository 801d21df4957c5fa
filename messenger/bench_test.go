package messenger

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"runtime"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// The benchmarks run over loopback TCP with 18-byte position frames. The
// *RawFloor ones move the same frames through a plain bufio.Writer and
// bufio.Reader pair, encoding and decoding by hand: the floor of the
// machine, to be measured in the same run.
//
// Run them with:
//
//	go test -run '^$' -bench . -benchmem ./messenger

var tcpTransport = transports[1]

// wrappedTCP is loopback TCP behind a plain net.Conn wrapper, which hides
// the file descriptor: the Messenger then reads and writes through its
// goroutines (readLoop, writeLoop), as it does on net.Pipe or TLS. The
// *Goroutines benchmarks use it to measure that design against the direct
// one on the same machine.
var wrappedTCP = transport{"wrapped-tcp", func(t testing.TB) (net.Conn, net.Conn) {
	a, b := tcpPair(t)
	return struct{ net.Conn }{a}, struct{ net.Conn }{b}
}}

var benchPosition = &position{ID: 1, X: 1.5, Y: -2, Z: 0.25}

// pumpReceive pumps m with Xfer and Get in a goroutine until n messages
// have arrived, yielding the processor when a pass found nothing.
func pumpReceive(m *Messenger, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		for got := 0; got < n; {
			if err := m.Xfer(); err != nil {
				done <- err
				return
			}
			k := 0
			for m.Get() != nil {
				k++
			}
			got += k
			if k == 0 {
				runtime.Gosched()
			}
		}
		done <- nil
	}()
	return done
}

// flushAll pumps m until its write queue is empty.
func flushAll(b *testing.B, m *Messenger) {
	if err := m.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	if err := m.Xfer(); err != nil {
		b.Fatal(err)
	}
}

func benchThroughput(b *testing.B, tr transport, codec func() message.Codec, directMax int) {
	benchThroughputPair(b, tr, pairConfig{codecA: codec(), codecB: codec()}, directMax)
}

// benchSecure is the pair configuration of the *Secure benchmarks.
func benchSecure() pairConfig {
	return pairConfig{optsA: &Options{Secret: []byte("guitarist-revenge")}, optsB: &Options{Secret: []byte("guitarist-revenge")}}
}

// BenchmarkThroughputByteSecure is BenchmarkThroughputByte with
// Options.Secret on both sides: every batch sealed, every record opened.
func BenchmarkThroughputByteSecure(b *testing.B) {
	benchThroughputPair(b, tcpTransport, benchSecure(), directWriteMax)
}

// BenchmarkRoundTripByteSecure is BenchmarkRoundTripByte with
// Options.Secret on both sides.
func BenchmarkRoundTripByteSecure(b *testing.B) {
	benchRoundTripPair(b, tcpTransport, benchSecure(), false)
}

func benchThroughputPair(b *testing.B, tr transport, cfg pairConfig, directMax int) {
	snd, rcv := newPair(b, tr, cfg)
	snd.directMax = directMax
	ctx := context.Background()
	n := b.N
	b.ReportAllocs()
	b.ResetTimer()
	done := pumpReceive(rcv, n)
	for sent := 0; sent < n; {
		for i := 0; i < 64 && sent < n; i++ {
			if err := snd.Send(benchPosition); err != nil {
				if err != ErrQueueFull {
					b.Fatal(err)
				}
				// Wait for room, as a program with nothing else to do.
				if err := snd.Flush(ctx); err != nil {
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
// receiver (another goroutine) pumps Xfer and Get; one op is one message.
func BenchmarkThroughputByte(b *testing.B) {
	benchThroughput(b, tcpTransport, byteCodec, directWriteMax)
}

// BenchmarkThroughputBytePeerConn is BenchmarkThroughputByte over a
// connection made by two discovering connector.BroadcastConnectors (the
// Messengers run on Peer.Conn, the connector's wrapper), as the README
// teaches.
func BenchmarkThroughputBytePeerConn(b *testing.B) {
	benchThroughput(b, peerConnTransport, byteCodec, directWriteMax)
}

// BenchmarkThroughputByteBlocks is BenchmarkThroughputByte with positions
// from a message.Blocks factory given to the codec's Register method
// directly (message.Register, the default path, does the same through
// RegisterAll).
func BenchmarkThroughputByteBlocks(b *testing.B) {
	benchThroughput(b, tcpTransport, func() message.Codec {
		c := message.NewByteCodec(nil)
		newPos := message.Blocks[position](0)
		c.Register(func() message.ByteMessage { return newPos() })
		return c
	}, directWriteMax)
}

// BenchmarkThroughputByteNewEach is BenchmarkThroughputByte with a factory
// of its own that allocates every position (the codec's Register method
// with func() { return new(position) }): what the receive rate was before
// message.Register allocated in blocks.
func BenchmarkThroughputByteNewEach(b *testing.B) {
	benchThroughput(b, tcpTransport, func() message.Codec {
		c := message.NewByteCodec(nil)
		c.Register(newPosition)
		return c
	}, directWriteMax)
}

// BenchmarkThroughputByteOneValue is BenchmarkThroughputByte with a factory
// that returns the same value for every frame, which no real program can
// do (each message Get returns would be overwritten by the next): it
// measures what allocating the decoded messages costs the default path.
func BenchmarkThroughputByteOneValue(b *testing.B) {
	benchThroughput(b, tcpTransport, func() message.Codec {
		c := message.NewByteCodec(nil)
		p := new(position)
		c.Register(func() message.ByteMessage { return p })
		return c
	}, directWriteMax)
}

// BenchmarkThroughputByteGoroutines is BenchmarkThroughputByte with the
// conn wrapped, so that reads and writes go through goroutines.
func BenchmarkThroughputByteGoroutines(b *testing.B) {
	benchThroughput(b, wrappedTCP, byteCodec, directWriteMax)
}

// BenchmarkThroughputByteDirectWrites is BenchmarkThroughputByte with the
// sender writing every queue itself (no hand-over to the writer goroutine
// above directWriteMax bytes), to measure that choice.
func BenchmarkThroughputByteDirectWrites(b *testing.B) {
	benchThroughput(b, tcpTransport, byteCodec, math.MaxInt)
}

// BenchmarkThroughputJSON is BenchmarkThroughputByte with the JSON codec.
func BenchmarkThroughputJSON(b *testing.B) {
	benchThroughput(b, tcpTransport, jsonCodec, directWriteMax)
}

// BenchmarkThroughputMsgpack is BenchmarkThroughputByte with the msgpack
// codec.
func BenchmarkThroughputMsgpack(b *testing.B) {
	benchThroughput(b, tcpTransport, msgpackCodec, directWriteMax)
}

// BenchmarkThroughputRawFloor moves the same frames through bufio on a TCP
// connection, encoding and decoding them by hand in two goroutines.
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
		for range n {
			buf := append(w.AvailableBuffer(), 18, 0x10)
			buf, _ = benchPosition.AppendPayload(buf)
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

// BenchmarkRoundTripByte: ping-pong of one position message, both
// Messengers pumped by one loop in one goroutine, as a game loop would (the
// client's Xfer and Get, then the echo side's Xfer, Get, Send and Xfer);
// one op is a position sent and its echo received.
func BenchmarkRoundTripByte(b *testing.B) { benchRoundTrip(b, tcpTransport, false) }

// BenchmarkRoundTripBytePeerConn is BenchmarkRoundTripByte over a
// connection made by two discovering connector.BroadcastConnectors (see
// BenchmarkThroughputBytePeerConn).
func BenchmarkRoundTripBytePeerConn(b *testing.B) { benchRoundTrip(b, peerConnTransport, false) }

// BenchmarkRoundTripByteNetpollWaiter is BenchmarkRoundTripByte in a
// process where another goroutine waits in the runtime's network poller
// (an Accept on a listener nobody dials), as a connector's beacon listener
// and acceptor do. It separates what a process with such waiters pays on
// every round trip (an idle thread blocked in epoll_wait is woken by each
// write that makes a socket readable) from what Peer.Conn itself costs
// (BenchmarkRoundTripBytePeerConn).
func BenchmarkRoundTripByteNetpollWaiter(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ln.Accept() // returns when ln is closed
	}()
	defer func() {
		ln.Close()
		<-done
	}()
	benchRoundTrip(b, tcpTransport, false)
}

// BenchmarkRoundTripByteEchoGoroutine is BenchmarkRoundTripByte with the
// echo side pumped by a spinning goroutine of its own, as
// BenchmarkRoundTripRawFloor's echo reads in its own goroutine.
func BenchmarkRoundTripByteEchoGoroutine(b *testing.B) { benchRoundTrip(b, tcpTransport, true) }

// BenchmarkRoundTripByteGoroutines is BenchmarkRoundTripByte with the conn
// wrapped, so that reads and writes go through goroutines. (With the echo
// spinning in a goroutine of its own, the two spinning loops leave the I/O
// goroutines no core on a 2-core machine.)
func BenchmarkRoundTripByteGoroutines(b *testing.B) { benchRoundTrip(b, wrappedTCP, false) }

func benchRoundTrip(b *testing.B, tr transport, echoGoroutine bool) {
	benchRoundTripPair(b, tr, pairConfig{}, echoGoroutine)
}

func benchRoundTripPair(b *testing.B, tr transport, cfg pairConfig, echoGoroutine bool) {
	cli, srv := newPair(b, tr, cfg)
	echo := func() error {
		if err := srv.Xfer(); err != nil {
			return err
		}
		for msg := srv.Get(); msg != nil; msg = srv.Get() {
			if err := srv.Send(msg); err != nil {
				return err
			}
		}
		return srv.Xfer()
	}
	if echoGoroutine {
		stop, done := make(chan struct{}), make(chan error, 1)
		go func() {
			for {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				if err := echo(); err != nil {
					done <- err
					return
				}
			}
		}()
		defer func() {
			close(stop)
			if err := <-done; err != nil {
				b.Error(err)
			}
		}()
	}
	roundTrip := func() {
		if err := cli.Send(benchPosition); err != nil {
			b.Fatal(err)
		}
		for {
			if err := cli.Xfer(); err != nil {
				b.Fatal(err)
			}
			if cli.Get() != nil {
				return
			}
			if !echoGoroutine {
				if err := echo(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		roundTrip()
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
	var q position
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf := append(w.AvailableBuffer(), 18, 0x10)
		buf, _ = benchPosition.AppendPayload(buf)
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
	m, peer := newPair(b, tcpTransport, pairConfig{})
	// The peer answers the pings (one a second), as a live peer does.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := peer.Recv(ctx); err != nil {
				return
			}
		}
	}()
	defer func() { cancel(); <-done }()
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

// BenchmarkSend: Send of one position. Every 4096 messages an Xfer hands
// them to the connection (included, spread over the 4096); the peer is a
// plain TCP reader that discards the bytes, so that only the sending side
// is measured.
func BenchmarkSend(b *testing.B) {
	c1, c2 := tcpPair(b)
	go io.Copy(io.Discard, c2)
	defer c2.Close()
	snd, err := New(context.Background(), c1, byteCodec(), &Options{Compat: true, MaxWriteQueue: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer snd.Close()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := snd.Send(benchPosition); err != nil {
			if err != ErrQueueFull {
				b.Fatal(err)
			}
			if err := snd.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			if err := snd.Send(benchPosition); err != nil {
				b.Fatal(err)
			}
		}
		if i++; i%4096 == 0 {
			if err := snd.Xfer(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	flushAll(b, snd)
}

// BenchmarkIdleMemory reports the memory of one idle connected Messenger
// over TCP, goroutine stack, buffers and the conn included, after one
// message each way: it creates up to 200 connected pairs (one per op; the
// rest of the ops do nothing, to stay within the open-file limit) and
// divides the growth of HeapInuse+StackInuse by the number of Messengers.
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
	for i := range b.N {
		if i >= 200 {
			continue
		}
		ca, cb := dialPair(b, ln)
		a, c, errA, errB := newBoth(ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec()})
		if errA != nil || errB != nil {
			b.Fatal(errA, errB)
		}
		// One message each way, so that the read buffers exist.
		if err := a.Send(benchPosition); err != nil {
			b.Fatal(err)
		}
		if err := c.Send(benchPosition); err != nil {
			b.Fatal(err)
		}
		recvN(b, c, 1, a)
		recvN(b, a, 1, c)
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

// BenchmarkXferSkipFlood: one Xfer and Gets until nil on a JSON Messenger
// whose peer sends nothing but bare "\n" lines (each one a frame to skip)
// as fast as it can; one op is one such game-loop frame, whose work the
// skip budget bounds (skipped/op is the frames skipped per frame).
func BenchmarkXferSkipFlood(b *testing.B) {
	raw, c := tcpPair(b)
	m, err := New(context.Background(), c, jsonCodec(), &Options{Compat: true})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		junk := bytes.Repeat([]byte{'\n'}, 64<<10)
		for {
			if _, err := raw.Write(junk); err != nil {
				return
			}
		}
	}()
	defer func() {
		m.Close()
		raw.Close()
		<-done
	}()
	poll(b, "the flood", func() bool {
		xferOK(b, m)
		m.Get()
		return m.Stats().SkippedFrames > 0
	})
	start := m.Stats().SkippedFrames
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		xferOK(b, m)
		for m.Get() != nil {
			b.Fatal("a message from a flood of empty lines")
		}
	}
	b.StopTimer()
	xferOK(b, m)
	b.ReportMetric(float64(m.Stats().SkippedFrames-start)/float64(b.N), "skipped/op")
}

// BenchmarkReadStats: the game loop reads its figures (no lock).
func BenchmarkReadStats(b *testing.B) {
	m, _ := newPair(b, tcpTransport, pairConfig{})
	var s Stats
	b.ReportAllocs()
	for b.Loop() {
		m.ReadStats(&s)
	}
}

// BenchmarkStats: another goroutine's read (a lock shared with Xfer).
func BenchmarkStats(b *testing.B) {
	m, _ := newPair(b, tcpTransport, pairConfig{})
	var s Stats
	b.ReportAllocs()
	for b.Loop() {
		s = m.Stats()
	}
	_ = s
}
