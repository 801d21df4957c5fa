package messenger

import (
	"context"
	"errors"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// Get decodes runs of frames ahead (decodeRun); these tests pin what a
// program must not notice of it.

// TestGetRunDeliversBeforeEnd: a program that takes one message per Xfer
// gets every message the peer sent before Xfer reports the clean end,
// although Get decoded them all (and consumed the read buffer) early.
func TestGetRunDeliversBeforeEnd(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{})
		const n = 3*runLen + 5
		for i := range n {
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		var ids []uint32
		var err error
		poll(t, "the end of the stream", func() bool {
			if err = b.Xfer(); err != nil {
				return true
			}
			if msg := b.Get(); msg != nil { // one message a frame
				ids = append(ids, msg.(*position).ID)
			}
			return false
		})
		if !errors.Is(err, ErrPeerClosed) {
			t.Fatalf("Xfer = %v, want ErrPeerClosed", err)
		}
		if len(ids) != n {
			t.Fatalf("got %d messages before the end, want %d", len(ids), n)
		}
		for i, id := range ids {
			if id != uint32(i) {
				t.Fatalf("message %d has id %d", i, id)
			}
		}
		if msg := b.Get(); msg != nil {
			t.Errorf("Get after the end = %v, want nil", msg)
		}
	})
}

// TestReadyWithDecodedMessages: messages decoded ahead and not yet
// returned are work for the next Get, so Ready says not to wait.
func TestReadyWithDecodedMessages(t *testing.T) {
	a, b := newPair(t, tcpTransport, pairConfig{})
	for i := range 10 {
		if err := a.Send(&position{ID: uint32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	xferOK(t, a)
	poll(t, "all ten frames read", func() bool {
		xferOK(t, b)
		return b.limit-b.r >= 10*18
	})
	if msg := b.Get(); msg == nil || msg.(*position).ID != 0 {
		t.Fatalf("first Get = %v, want id 0", msg)
	}
	if b.r != b.limit || b.runN-b.runI != 9 {
		t.Fatalf("after the first Get: %d bytes undecoded, %d messages decoded ahead; want 0 and 9", b.limit-b.r, b.runN-b.runI)
	}
	if !b.Ready() {
		t.Error("Ready = false with 9 decoded messages waiting, want true")
	}
	for i := 1; i < 10; i++ {
		msg := b.Get()
		if msg == nil || msg.(*position).ID != uint32(i) {
			t.Fatalf("Get %d = %v, want id %d", i, msg, i)
		}
	}
}

// fragile is a byte message whose DecodePayload panics on a payload that
// starts with 0xff (the missing length check of the issue: a 1-byte
// payload indexes past its end).
type fragile struct{ V, W byte }

func (*fragile) MessageName() string { return "Fragile" }
func (*fragile) ByteCode() byte      { return 0x30 }

func (f *fragile) AppendPayload(dst []byte) ([]byte, error) { return append(dst, f.V, f.W), nil }

func (f *fragile) DecodePayload(b []byte) error {
	f.V = b[0]
	if f.V == 0xff {
		f.W = b[len(b)] // out of range: panics
	}
	f.W = b[1]
	return nil
}

// TestGetRunPanicSkipsOneFrame: a panic in DecodePayload inside a run
// skips that frame only, as ErrBadPayload wrapping a *message.PanicError;
// the frames around it arrive in order.
func TestGetRunPanicSkipsOneFrame(t *testing.T) {
	codec := func() message.Codec {
		c := message.NewByteCodec(nil)
		message.Register[fragile](c)
		return c
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, codec(), Options{})
		var stream []byte
		var want []byte
		for i := range 2*runLen + 3 {
			v := byte(i)
			if i == 5 || i == 6 || i == runLen || i == 2*runLen+2 {
				v = 0xff // panics: skipped
			} else {
				want = append(want, v)
			}
			stream = append(stream, 4, 0x30, v, 0)
		}
		go raw.Write(stream)
		var got []byte
		poll(t, "every good frame", func() bool {
			if err := m.Xfer(); err != nil {
				t.Fatalf("Xfer = %v: a panicking frame is skipped, not an error", err)
			}
			for msg := m.Get(); msg != nil; msg = m.Get() {
				got = append(got, msg.(*fragile).V)
			}
			return len(got) >= len(want) && m.Stats().SkippedBadPayload == 4
		})
		if string(got) != string(want) {
			t.Errorf("got %v, want %v", got, want)
		}
		st := m.Stats()
		var pe *message.PanicError
		if !errors.Is(st.LastSkip, message.ErrBadPayload) || !errors.As(st.LastSkip, &pe) {
			t.Errorf("LastSkip = %v, want ErrBadPayload wrapping a PanicError", st.LastSkip)
		}
		if st.MessagesIn != uint64(len(want)) {
			t.Errorf("MessagesIn = %d, want %d", st.MessagesIn, len(want))
		}
	})
}

// bomb is a byte message whose AppendPayload panics when Boom is set,
// after writing part of its payload.
type bomb struct{ Boom bool }

func (*bomb) MessageName() string { return "Bomb" }
func (*bomb) ByteCode() byte      { return 0x31 }

func (b *bomb) AppendPayload(dst []byte) ([]byte, error) {
	dst = append(dst, "partial"...)
	if b.Boom {
		panic("bomb")
	}
	return dst, nil
}

func (b *bomb) DecodePayload(p []byte) error { return nil }

// TestSendPanicPropagates: a panic in the program's own AppendPayload
// comes out of Send (no recover per frame), nothing of the frame is
// queued, and the Messenger goes on: the next messages arrive whole.
func TestSendPanicPropagates(t *testing.T) {
	codec := func() message.Codec {
		c := message.NewByteCodec(nil)
		message.Register[position](c)
		message.Register[bomb](c)
		return c
	}
	a, b := newPair(t, tcpTransport, pairConfig{codecA: codec(), codecB: codec()})
	for _, first := range []message.Message{&position{ID: 1}, &bomb{}} { // after another type, and after its own
		if err := a.Send(first); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != "bomb" {
					t.Errorf("Send of a panicking value: recovered %v, want the panic", r)
				}
			}()
			_ = a.Send(&bomb{Boom: true})
		}()
	}
	if err := a.Send(&position{ID: 2}); err != nil {
		t.Fatalf("Send after the panic: %v", err)
	}
	xferOK(t, a)
	var got []message.Message
	poll(t, "the three messages", func() bool {
		xferOK(t, b)
		for msg := b.Get(); msg != nil; msg = b.Get() {
			got = append(got, msg)
		}
		return len(got) >= 3
	})
	if p, ok := got[0].(*position); !ok || p.ID != 1 {
		t.Errorf("first = %#v", got[0])
	}
	if _, ok := got[1].(*bomb); !ok {
		t.Errorf("second = %#v", got[1])
	}
	if p, ok := got[2].(*position); !ok || p.ID != 2 {
		t.Errorf("third = %#v", got[2])
	}
	if st := b.Stats(); st.SkippedFrames != 0 {
		t.Errorf("the receiver skipped %d frames: the panic left bytes in the queue", st.SkippedFrames)
	}
}
