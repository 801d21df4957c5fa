package messenger

import (
	"context"
	"errors"
	"io"
	"net"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

func TestSendGetBothWays(t *testing.T) {
	codecs := []struct {
		name  string
		codec func() message.Codec
	}{{"byte", byteCodec}, {"json", jsonCodec}, {"msgpack", msgpackCodec}}
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				a, b := newPair(t, tr, pairConfig{codecA: c.codec(), codecB: c.codec()})
				want := []message.Message{
					&message.MsgIdentify{Username: "alice", Hostname: "box"},
					&message.MsgJoin{}, &message.MsgRetry{},
					&position{ID: 7, X: 1.5, Y: -2, Z: 0.25},
					&message.MsgQuit{},
				}
				for _, msg := range want {
					if err := a.Send(msg); err != nil {
						t.Fatal(err)
					}
					if err := b.Send(msg); err != nil {
						t.Fatal(err)
					}
				}
				if got := recvN(t, b, len(want), a); !reflect.DeepEqual(got, want) {
					t.Errorf("b got %v, want %v", got, want)
				}
				if got := recvN(t, a, len(want), b); !reflect.DeepEqual(got, want) {
					t.Errorf("a got %v, want %v", got, want)
				}
				xferOK(t, a, b)
				// Either writer goroutine may report its last write after
				// the peer has already read it (net.Pipe hands bytes over
				// before Write returns), so wait for both queues to drain.
				poll(t, "both queues to drain", func() bool {
					xferOK(t, a, b)
					return a.Stats().WriteQueue == 0 && b.Stats().WriteQueue == 0
				})
				st := b.Stats()
				if st.MessagesIn != 5 || st.MessagesOut != 5 || st.BytesIn == 0 || st.BytesIn != a.Stats().BytesOut ||
					st.WriteQueue != 0 || st.ReadBuffered != 0 || st.SkippedFrames != 0 {
					t.Errorf("b.Stats() = %+v, a.Stats() = %+v", st, a.Stats())
				}
				if a.Remote().PeerID != b.Local().PeerID || a.Remote().Codec != c.name || a.Local().PeerID == 0 {
					t.Errorf("a.Remote() = %+v, b.Local() = %+v", a.Remote(), b.Local())
				}
			})
		})
	}
}

// TestSequence sends many messages and checks that none is lost or
// reordered.
func TestSequence(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{})
		sent, next := 0, 0
		p := &position{}
		poll(t, "all messages", func() bool {
			for i := 0; i < 256 && sent < n; i++ {
				p.ID = uint32(sent)
				if err := a.Send(p); errors.Is(err, ErrQueueFull) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				sent++
			}
			xferOK(t, a, b)
			for msg := b.Get(); msg != nil; msg = b.Get() {
				if id := msg.(*position).ID; id != uint32(next) {
					t.Fatalf("message %d has id %d", next, id)
				}
				next++
			}
			return next == n
		})
		xferOK(t, b)
		// BytesIn counts the control frames (pings and pongs) too.
		if st := b.Stats(); st.MessagesIn != uint64(n) || st.BytesIn != uint64(18*n)+(3+ctlPingBody)*st.PingsIn+(3+ctlPongBody)*st.PongsIn {
			t.Errorf("b.Stats() = %+v", st)
		}
	})
}

// TestPeerStopsReading: the queue fills, Send says so, memory stays bounded
// on both sides, and once the peer reads again every accepted message
// arrives, in order.
func TestPeerStopsReading(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		const maxQ, maxR = 4 << 10, 1 << 10
		a, b := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: maxQ}, optsB: &Options{MaxReadBuffer: maxR}})
		shrinkSocketBuffers(a.Conn(), b.Conn())
		sent := 0
		p := &position{}
		full := 0
		poll(t, "ErrQueueFull", func() bool {
			for {
				p.ID = uint32(sent)
				err := a.Send(p)
				if errors.Is(err, ErrQueueFull) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				sent++
			}
			xferOK(t, a)
			if st := a.Stats(); st.WriteQueue > maxQ {
				t.Fatalf("WriteQueue %d > MaxWriteQueue %d", st.WriteQueue, maxQ)
			}
			// b pumps but does not Get: its buffer must stop at maxR.
			xferOK(t, b)
			if st := b.Stats(); st.ReadBufferCap > maxR || st.ReadBuffered > maxR {
				t.Fatalf("b.Stats() = %+v, MaxReadBuffer %d", st, maxR)
			}
			// Stuck: queue full right after an Xfer, 20 times in a row.
			if a.Send(p) == nil {
				sent++
				full = 0
				return false
			}
			full++
			return full > 20
		})
		// Now b reads: everything accepted arrives.
		got := 0
		poll(t, "all accepted messages", func() bool {
			xferOK(t, a, b)
			for msg := b.Get(); msg != nil; msg = b.Get() {
				if id := msg.(*position).ID; id != uint32(got) {
					t.Fatalf("message %d has id %d", got, id)
				}
				got++
			}
			return got == sent
		})
		// a's writer goroutine (net.Pipe) may report its last write only
		// after b has read it.
		poll(t, "a's queue to drain", func() bool { xferOK(t, a); return a.Stats().WriteQueue == 0 })
		if st := a.Stats(); st.MessagesOut != uint64(sent) || st.BytesOut != 18*uint64(sent) {
			t.Errorf("a.Stats() = %+v after the peer drained, sent %d", st, sent)
		}
	})
}

func shrinkSocketBuffers(conns ...net.Conn) {
	for _, c := range conns {
		if sc, ok := c.(interface {
			SetReadBuffer(int) error
			SetWriteBuffer(int) error
		}); ok {
			_ = sc.SetReadBuffer(4 << 10)
			_ = sc.SetWriteBuffer(4 << 10)
		}
	}
}

// TestPeerCloses: messages sent before the close arrive, then Xfer reports
// ErrPeerClosed, and Send returns it too.
func TestPeerCloses(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{})
		for i := range 3 {
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		xferOK(t, a)
		if err := a.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got []message.Message
		err := func() error {
			var err error
			poll(t, "the close", func() bool {
				for msg := b.Get(); msg != nil; msg = b.Get() {
					got = append(got, msg)
				}
				err = b.Xfer()
				return err != nil
			})
			return err
		}()
		if len(got) != 3 {
			t.Errorf("got %d messages before the close, want 3", len(got))
		}
		if !errors.Is(err, ErrPeerClosed) || !errors.Is(err, io.EOF) {
			t.Errorf("Xfer = %v, want ErrPeerClosed", err)
		}
		if err2 := b.Send(&message.MsgJoin{}); err2 != err {
			t.Errorf("Send after the close = %v, want %v", err2, err)
		}
		if err2 := b.Xfer(); err2 != err {
			t.Errorf("second Xfer = %v, want %v", err2, err)
		}
	})
}

// TestPeerResets: a TCP reset is reported (not as a clean close), also
// when this side only reads.
func TestPeerResets(t *testing.T) {
	t.Parallel()
	a, b := newPair(t, transports[1], pairConfig{})
	if err := a.Send(&position{ID: 1}); err != nil {
		t.Fatal(err)
	}
	recvN(t, b, 1, a)
	_ = a.Conn().(*net.TCPConn).SetLinger(0)
	a.Close()
	err := xferUntilErr(t, b)
	if !errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) {
		t.Errorf("Xfer = %v, want a connection reset", err)
	}
	if err2 := b.Send(&message.MsgJoin{}); err2 != err {
		t.Errorf("Send after the reset = %v, want %v", err2, err)
	}
}

// TestPeerGoneWhileOnlyWriting: a peer that resets is noticed by a side
// that only sends.
func TestPeerGoneWhileOnlyWriting(t *testing.T) {
	t.Parallel()
	a, b := newPair(t, transports[1], pairConfig{})
	_ = a.Conn().(*net.TCPConn).SetLinger(0)
	a.Close()
	var err error
	poll(t, "a write or read error", func() bool {
		if err = b.Send(&position{}); err != nil && !errors.Is(err, ErrQueueFull) {
			return true
		}
		err = b.Xfer()
		return err != nil
	})
	if errors.Is(err, io.EOF) || errors.Is(err, ErrQueueFull) {
		t.Errorf("got %v, want a reset or broken pipe", err)
	}
}

// TestPeerHalfCloses: after CloseWrite on the peer, its messages arrive and
// then the end is reported as a clean close.
func TestPeerHalfCloses(t *testing.T) {
	t.Parallel()
	a, b := newPair(t, transports[1], pairConfig{})
	for i := range 3 {
		if err := a.Send(&position{ID: uint32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	xferOK(t, a)
	poll(t, "a's queue written", func() bool { xferOK(t, a); return a.Stats().WriteQueue == 0 })
	if err := a.Conn().(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got := 0
	var err error
	poll(t, "the half close", func() bool {
		for msg := b.Get(); msg != nil; msg = b.Get() {
			got++
		}
		err = b.Xfer()
		return err != nil
	})
	if got != 3 || !errors.Is(err, ErrPeerClosed) {
		t.Errorf("got %d messages and %v, want 3 and ErrPeerClosed", got, err)
	}
}

// TestSplitFrames writes a stream one byte at a time and checks, after
// every byte, that exactly the frames complete so far are available.
func TestSplitFrames(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), Options{})
		frames := [][]byte{
			positionFrame(1), {2, message.CodeJoin}, positionFrame(2),
			append([]byte{11, message.CodeIdentify}, "bob@host1"...), {2, message.CodeQuit}, positionFrame(3),
		}
		var stream []byte
		var ends []int // stream offset where each frame ends
		for _, f := range frames {
			stream = append(stream, f...)
			ends = append(ends, len(stream))
		}
		got := 0
		for k := 1; k <= len(stream); k++ {
			if _, err := raw.Write(stream[k-1 : k]); err != nil {
				t.Fatal(err)
			}
			poll(t, "one byte", func() bool {
				xferOK(t, m)
				return m.Stats().BytesIn == uint64(k)
			})
			for msg := m.Get(); msg != nil; msg = m.Get() {
				got++
			}
			want := 0
			for _, e := range ends {
				if e <= k {
					want++
				}
			}
			if got != want {
				t.Fatalf("after %d bytes: %d messages, want %d", k, got, want)
			}
		}
	})
}

// TestDecodeErrorRecoverable: a frame of an unknown type (and one whose
// payload its type refuses) is skipped, counted by reason and kept as
// Stats.LastSkip; Xfer reports no error, so the README's loop goes on,
// and the next message arrives.
func TestDecodeErrorRecoverable(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), Options{})
		stream := append(positionFrame(1), 5, 0x7f, 1, 2, 3) // unknown code 0x7f
		stream = append(stream, 4, 0x10, 1, 2)               // a 2-byte position payload
		stream = append(stream, positionFrame(2)...)
		go raw.Write(stream)
		var ids []uint32
		poll(t, "both messages", func() bool {
			if err := m.Xfer(); err != nil {
				t.Fatalf("Xfer = %v, want nil: a skipped frame is not an error", err)
			}
			for msg := m.Get(); msg != nil; msg = m.Get() {
				ids = append(ids, msg.(*position).ID)
			}
			return len(ids) == 2
		})
		if ids[0] != 1 || ids[1] != 2 {
			t.Errorf("ids = %v", ids)
		}
		xferOK(t, m)
		st := m.Stats()
		if st.SkippedFrames != 2 || st.SkippedUnknownType != 1 || st.SkippedBadPayload != 1 || st.SkippedMalformed != 0 || st.MessagesIn != 2 {
			t.Errorf("Stats = %+v", st)
		}
		var de *message.DecodeError
		if !errors.As(st.LastSkip, &de) || !de.Recoverable() || !errors.Is(de, message.ErrBadPayload) {
			t.Errorf("LastSkip = %v, want the bad-payload DecodeError", st.LastSkip)
		}
		if err := m.Send(&message.MsgJoin{}); err != nil {
			t.Errorf("Send after a skipped frame: %v", err)
		}
	})
}

// TestDecodeErrorFatal: a frame after which the stream cannot go on closes
// the connection; the messages before it arrive.
func TestDecodeErrorFatal(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), Options{})
		stream := append(positionFrame(1), 0, 1, 2, 3)
		go raw.Write(stream)
		got := 0
		var xerr error
		poll(t, "the error", func() bool {
			for msg := m.Get(); msg != nil; msg = m.Get() {
				got++
			}
			xerr = m.Xfer()
			return xerr != nil
		})
		var de *message.DecodeError
		if got != 1 || !errors.As(xerr, &de) || de.Recoverable() || !errors.Is(xerr, message.ErrBadLength) {
			t.Errorf("got %d messages and %v, want 1 and a fatal ErrBadLength", got, xerr)
		}
		if err := m.Send(&message.MsgJoin{}); err != xerr {
			t.Errorf("Send = %v, want %v", err, xerr)
		}
		// The connection is closed: the raw end sees the end of the stream.
		_ = raw.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(raw); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("raw end: %v, want EOF", err)
		}
	})
}

// TestFrameLargerThanReadBuffer: a frame that cannot fit in MaxReadBuffer is
// a fatal error, not unbounded growth.
func TestFrameLargerThanReadBuffer(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, jsonCodec(), Options{MaxReadBuffer: 1024})
		line := []byte(`["MsgIdentify",{"username":"` + string(make([]byte, 3000)) + `"}]` + "\n")
		for i := range line[28:3028] {
			line[28+i] = 'x'
		}
		go raw.Write(line)
		err := xferUntilErr(t, m)
		var de *message.DecodeError
		if !errors.As(err, &de) || de.Recoverable() || !errors.Is(err, message.ErrTooLarge) {
			t.Errorf("Xfer = %v, want a fatal ErrTooLarge", err)
		}
		if st := m.Stats(); st.ReadBufferCap > 1024 {
			t.Errorf("ReadBufferCap %d > 1024", st.ReadBufferCap)
		}
	})
}

func TestCompatSendsNoHello(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), Options{})
		if (m.Remote() != Hello{}) || (m.Local() != Hello{}) {
			t.Errorf("compat Remote/Local = %+v / %+v", m.Remote(), m.Local())
		}
		if err := m.Send(&message.MsgJoin{}); err != nil {
			t.Fatal(err)
		}
		xferOK(t, m)
		buf := make([]byte, 2)
		_ = raw.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(raw, buf); err != nil {
			t.Fatal(err)
		}
		if buf[0] != 2 || buf[1] != message.CodeJoin {
			t.Errorf("first bytes on the wire % x, want 02 02", buf)
		}
	})
}

func TestSendErrors(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, _ := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: 10}})
		if err := a.Send(&position{}); !errors.Is(err, message.ErrTooLarge) {
			t.Errorf("Send of an 18-byte frame with MaxWriteQueue 10 = %v, want ErrTooLarge", err)
		}
		if err := a.Send(&message.MsgJoin{}); err != nil {
			t.Fatal(err)
		}
		if err := a.Send(&position{}); !errors.Is(err, ErrQueueFull) {
			t.Errorf("Send past MaxWriteQueue = %v, want ErrQueueFull", err)
		}
		var ee *message.EncodeError
		if err := a.Send(&message.MsgIdentify{Username: "a@b"}); !errors.As(err, &ee) {
			t.Errorf("Send of a bad message = %v, want an EncodeError", err)
		}
		if st := a.Stats(); st.MessagesOut != 0 {
			// Stats are as of the last Xfer.
			t.Errorf("Stats before Xfer = %+v", st)
		}
		xferOK(t, a)
		if st := a.Stats(); st.MessagesOut != 1 {
			t.Errorf("MessagesOut = %d, want 1", st.MessagesOut)
		}
	})
}

// TestShutdownFlushes: everything queued before Shutdown arrives, then the
// peer sees a clean close.
func TestShutdownFlushes(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		const n = 30000 // 540 KB: more than the socket buffers hold
		a, b := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: 1 << 20}})
		for i := range n {
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		type result struct {
			got int
			err error
		}
		done := make(chan result, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			got := 0
			for {
				msg, err := b.Recv(ctx)
				if err != nil {
					done <- result{got, err}
					return
				}
				if id := msg.(*position).ID; id != uint32(got) {
					done <- result{got, errors.New("out of order")}
					return
				}
				got++
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
		if a.live.Load() != 0 {
			t.Errorf("%d goroutines still running after Shutdown", a.live.Load())
		}
		r := <-done
		if r.got != n || !errors.Is(r.err, ErrPeerClosed) {
			t.Errorf("peer got %d messages and %v, want %d and ErrPeerClosed", r.got, r.err, n)
		}
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("second Shutdown = %v", err)
		}
	})
}

// TestShutdownTimeout: a peer that does not read cannot hold Shutdown past
// its context.
func TestShutdownTimeout(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: 64 << 20}})
		shrinkSocketBuffers(a.Conn(), b.Conn())
		for i := 0; i < 200_000; i++ { // 3.6 MB, more than the socket buffers
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := a.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
		}
		if a.live.Load() != 0 {
			t.Errorf("%d goroutines still running after Shutdown", a.live.Load())
		}
		if err := a.Xfer(); !errors.Is(err, ErrClosed) {
			t.Errorf("Xfer after Shutdown = %v, want ErrClosed", err)
		}
	})
}

// TestCloseWaits: Close returns once the Messenger's goroutines have ended,
// is idempotent, and makes Send and Xfer return ErrClosed.
func TestCloseWaits(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: 8 << 20}})
		shrinkSocketBuffers(a.Conn(), b.Conn())
		// Get the writer goroutine stuck in a write b does not read.
		for i := 0; i < 400000; i++ {
			if err := a.Send(&position{}); err != nil {
				t.Fatal(err)
			}
		}
		xferOK(t, a)
		if a.live.Load() != 2 {
			t.Fatalf("a runs %d goroutines, want 2 (reader, writer)", a.live.Load())
		}
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if n := a.live.Load(); n != 0 {
			t.Errorf("%d goroutines still running after Close", n)
		}
		if err := a.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if err := a.Send(&position{}); !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send after Close = %v", err)
		}
		if err := a.Xfer(); !errors.Is(err, ErrClosed) {
			t.Errorf("Xfer after Close = %v", err)
		}
		b.Close()
		if n := b.live.Load(); n != 0 {
			t.Errorf("%d goroutines still running after Close", n)
		}
	})
}

func TestRecv(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Recv also writes what Send queued.
		if err := a.Send(&message.MsgJoin{}); err != nil {
			t.Fatal(err)
		}
		go func() {
			msg, err := b.Recv(ctx)
			if err == nil {
				err = b.Send(msg)
			}
			if err == nil {
				err = b.Xfer()
			}
			if err != nil {
				t.Error(err)
			}
		}()
		msg, err := a.Recv(ctx)
		if _, ok := msg.(*message.MsgJoin); !ok || err != nil {
			t.Errorf("Recv = %v, %v; want the echoed MsgJoin", msg, err)
		}

		// A context that expires.
		short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancelShort()
		if msg, err := a.Recv(short); msg != nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Recv = %v, %v; want DeadlineExceeded", msg, err)
		}
		// A context cancelled while Recv waits.
		cctx, cancelC := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() {
			_, err := a.Recv(cctx)
			errc <- err
		}()
		poll(t, "Recv to wait", func() bool { return a.waiting.Load() })
		cancelC()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("Recv = %v, want Canceled", err)
		}
		// Close while Recv waits.
		go func() {
			_, err := a.Recv(ctx)
			errc <- err
		}()
		poll(t, "Recv to wait", func() bool { return a.waiting.Load() })
		a.Close()
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Errorf("Recv after Close = %v, want ErrClosed", err)
		}
	})
}

// TestReadBufferGrowsAndWraps: bursts larger than the initial buffer and
// long runs that wrap it many times arrive intact.
func TestReadBufferGrowsAndWraps(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: 1 << 20}})
		next := 0
		for round := range 20 {
			burst := 10 + round*round*40 // up to 260 KB
			for i := range burst {
				if err := a.Send(&position{ID: uint32(next + i)}); err != nil {
					t.Fatal(err)
				}
			}
			got := recvN(t, b, burst, a)
			for i, msg := range got {
				if id := msg.(*position).ID; id != uint32(next+i) {
					t.Fatalf("round %d: message %d has id %d", round, i, id)
				}
			}
			next += burst
		}
		if st := b.Stats(); st.ReadBufferCap > DefaultMaxReadBuffer || st.ReadBufferCap <= initialReadBuffer {
			t.Errorf("ReadBufferCap = %d, want it grown, within %d", st.ReadBufferCap, DefaultMaxReadBuffer)
		}
	})
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(context.Background(), nil, byteCodec(), nil); err == nil {
		t.Error("New with a nil conn succeeded")
	}
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	if _, err := New(context.Background(), ca, nil, nil); err == nil {
		t.Error("New with a nil codec succeeded")
	}
	long := string(make([]byte, 256))
	if _, err := New(context.Background(), ca, byteCodec(), &Options{AppID: long}); err == nil {
		t.Error("New with a 256-byte AppID succeeded")
	}
	// A peer that never answers: ctx bounds New, the conn stays open.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	go io.Copy(io.Discard, cb)
	_, err := New(ctx, ca, byteCodec(), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("New with a silent peer = %v, want DeadlineExceeded", err)
	}
	if _, err := ca.Write([]byte{1}); err != nil {
		t.Errorf("conn unusable after a failed New: %v", err)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := New(cancelled, ca, byteCodec(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("New with a cancelled ctx = %v", err)
	}
}

// TestFlush: Flush returns once everything queued is written, even when
// that is more than the socket takes at once.
func TestFlush(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		const n = 20000
		a, b := newPair(t, tr, pairConfig{optsA: &Options{MaxWriteQueue: 1 << 20}})
		done := make(chan int, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			got := 0
			for got < n {
				if _, err := b.Recv(ctx); err != nil {
					break
				}
				got++
			}
			done <- got
		}()
		for i := range n {
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if st := a.Stats(); st.WriteQueue != 0 || st.BytesOut != 18*n {
			t.Errorf("Stats after Flush = %+v", st)
		}
		if got := <-done; got != n {
			t.Errorf("peer got %d messages, want %d", got, n)
		}
		a.Close()
		if err := a.Flush(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("Flush after Close = %v", err)
		}
	})
}

// TestCloseFromAnotherGoroutine: Close while the owner pumps is safe (the
// race detector watches) and ends the pumping with ErrClosed.
func TestCloseFromAnotherGoroutine(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{})
		errc := make(chan error, 1)
		go func() {
			for i := 0; ; i++ {
				err := a.Send(&position{ID: uint32(i)})
				if errors.Is(err, ErrQueueFull) {
					err = nil
				}
				if err == nil {
					err = a.Xfer()
				}
				for a.Get() != nil {
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
		poll(t, "traffic", func() bool {
			for b.Get() != nil {
			}
			xferOK(t, b)
			return b.Stats().MessagesIn > 100
		})
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Errorf("pumping ended with %v, want ErrClosed", err)
		}
		if a.live.Load() != 0 {
			t.Errorf("%d goroutines still running after Close", a.live.Load())
		}
	})
}

// TestRecvDecodeError: Recv skips a bad frame (counted in Stats) and
// returns the next message, with no error.
func TestRecvDecodeError(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), Options{})
		go raw.Write(append([]byte{3, 0x7e, 0}, positionFrame(9)...))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		msg, err := m.Recv(ctx)
		if err != nil || msg.(*position).ID != 9 {
			t.Fatalf("Recv = %v, %v; want position 9", msg, err)
		}
		short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancelShort()
		if msg, err := m.Recv(short); msg != nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Recv = %v, %v; want DeadlineExceeded", msg, err)
		}
		if st := m.Stats(); st.SkippedFrames != 1 || st.SkippedUnknownType != 1 || !errors.Is(st.LastSkip, message.ErrUnknownType) {
			t.Errorf("Stats = %+v", st)
		}
	})
}

// TestRecvSkipThenEnd: a bad frame followed by the end of the stream, both
// seen by the same Xfer: Recv skips the frame and reports ErrPeerClosed
// rather than wait for a reader that has ended.
func TestRecvSkipThenEnd(t *testing.T) {
	for _, tr := range []transport{transports[0], wrappedTCP} {
		t.Run(tr.name, func(t *testing.T) {
			raw, m := compatMessenger(t, tr, byteCodec(), Options{})
			go func() {
				raw.Write([]byte{3, 0x7e, 0})
				raw.Close()
			}()
			poll(t, "the reader's end", func() bool { return m.events.Load()&evReadErr != 0 })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if msg, err := m.Recv(ctx); msg != nil || !errors.Is(err, ErrPeerClosed) {
				t.Fatalf("Recv = %v, %v; want ErrPeerClosed", msg, err)
			}
		})
	}
}
