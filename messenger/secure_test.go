package messenger

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/secure"
)

func secureOpts(secret string) *Options {
	return &Options{AppID: "test", Secret: []byte(secret), Nameplate: 7}
}

func securePair(t testing.TB, tr transport) (*Messenger, *Messenger) {
	t.Helper()
	return newPair(t, tr, pairConfig{optsA: secureOpts("guitarist-revenge"), optsB: secureOpts("guitarist-revenge")})
}

func TestSecureSendGetBothWays(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := securePair(t, tr)
		if !a.Secure() || !b.Secure() {
			t.Fatal("Secure() is false")
		}
		if a.SAS() == "" || a.SAS() != b.SAS() {
			t.Fatalf("SAS %q / %q", a.SAS(), b.SAS())
		}
		if direct := tr.name != "pipe"; (a.raw != nil) != direct || (b.raw != nil) != direct {
			t.Fatalf("direct I/O: %v / %v, want %v", a.raw != nil, b.raw != nil, direct)
		}
		const n = 2000 // several records, some batches over 16 KiB
		for i := range n {
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
			if err := b.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		for _, pair := range [][2]*Messenger{{a, b}, {b, a}} {
			got := recvN(t, pair[1], n, pair[0])
			for i, msg := range got {
				if p := msg.(*position); p.ID != uint32(i) {
					t.Fatalf("message %d has id %d", i, p.ID)
				}
			}
		}
	})
}

// TestSecureLargeBatch sends one batch larger than a record, in one Xfer.
func TestSecureLargeBatch(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{
			optsA: &Options{Secret: []byte("pw"), MaxWriteQueue: 1 << 20},
			optsB: &Options{Secret: []byte("pw"), MaxReadBuffer: 1 << 20},
		})
		const n = 5000 // 90 KB: six records
		for i := range n {
			if err := a.Send(&position{ID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		got := recvN(t, b, n, a)
		for i, msg := range got {
			if p := msg.(*position); p.ID != uint32(i) {
				t.Fatalf("message %d has id %d", i, p.ID)
			}
		}
	})
}

// pipe is the net.Pipe transport.
var pipe = transport{"pipe", func(testing.TB) (net.Conn, net.Conn) { return net.Pipe() }}

// byteHellos runs the hellos of two byte-codec Messengers with optsA and
// optsB over a new pair of tr, and returns their errors.
func byteHellos(t *testing.T, tr transport, optsA, optsB *Options) (errA, errB error) {
	t.Helper()
	ca, cb := tr.pair(t)
	defer ca.Close()
	defer cb.Close()
	_, _, errA, errB = newBoth(ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec(), optsA: optsA, optsB: optsB})
	return errA, errB
}

func TestSecureWrongSecret(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		errA, errB := byteHellos(t, tr, secureOpts("guitarist-revenge"), secureOpts("guitarist-revenue"))
		if !errors.Is(errA, secure.ErrWrongCode) || !errors.Is(errB, secure.ErrWrongCode) {
			t.Fatalf("errors %v / %v, want ErrWrongCode on both sides", errA, errB)
		}
	})
}

// TestSecureBindsNameplate: the same secret under another nameplate (or
// app id) is a wrong code.
func TestSecureBindsNameplate(t *testing.T) {
	o := secureOpts("guitarist-revenge")
	o.Nameplate = 8
	errA, errB := byteHellos(t, pipe, secureOpts("guitarist-revenge"), o)
	if !errors.Is(errA, secure.ErrWrongCode) || !errors.Is(errB, secure.ErrWrongCode) {
		t.Fatalf("errors %v / %v, want ErrWrongCode on both sides", errA, errB)
	}
}

func TestSecureVersusPlain(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		errA, errB := byteHellos(t, tr, secureOpts("pw"), &Options{AppID: "test"})
		var he *HelloError
		if !errors.As(errA, &he) || he.Field != "version" || !errors.Is(errB, ErrBadHello) {
			t.Fatalf("errors %v / %v, want a version mismatch on both sides", errA, errB)
		}
	})
}

func TestSecureSamePeerID(t *testing.T) {
	o := secureOpts("pw")
	o.PeerID = 42
	errA, errB := byteHellos(t, pipe, o, o)
	if !errors.Is(errA, secure.ErrConfig) || !errors.Is(errB, secure.ErrConfig) {
		t.Fatalf("errors %v / %v, want secure.ErrConfig", errA, errB)
	}
}

func TestSecureCompatRefused(t *testing.T) {
	ca, cb := net.Pipe() // nobody at the other end: New must not do any I/O
	defer ca.Close()
	defer cb.Close()
	m, err := New(context.Background(), ca, byteCodec(), &Options{Compat: true, Secret: []byte("pw")})
	if !errors.Is(err, ErrCompatSecret) || m != nil {
		t.Fatalf("New = %v, %v; want ErrCompatSecret", m, err)
	}
}

// TestSecureShutdownGoodbye: Shutdown ends the stream with a sealed
// goodbye (ErrPeerClosed on the other side); Close does not (ErrCut).
func TestSecureShutdownGoodbye(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, graceful := range []bool{true, false} {
			a, b := securePair(t, tr)
			if err := a.Send(&position{ID: 1}); err != nil {
				t.Fatal(err)
			}
			if graceful {
				if err := a.Shutdown(context.Background()); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := a.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
				a.Close()
			}
			recvN(t, b, 1)
			err := xferUntilErr(t, b)
			switch {
			case graceful && !errors.Is(err, ErrPeerClosed):
				t.Fatalf("after Shutdown: %v, want ErrPeerClosed", err)
			case !graceful && !errors.Is(err, ErrCut):
				t.Fatalf("after Close: %v, want ErrCut", err)
			}
		}
	})
}

// relay is a man in the middle between two sockets: it parses the stream
// of each direction (hello, two handshake messages, then records) and lets
// policy decide what to forward of each record. It records every byte it
// forwards.
type relay struct {
	wg  sync.WaitGroup
	mu  sync.Mutex
	log bytes.Buffer
}

// policy returns the records to forward in place of record i of direction
// dir (0: a to b, 1: b to a).
type policy func(dir, i int, rec []byte) [][]byte

// relayPair returns Messengers a and b connected through a relay.
func relayPair(t *testing.T, tr transport, optsA, optsB *Options, p policy) (a, b *Messenger, r *relay) {
	t.Helper()
	ca, x := tr.pair(t)
	y, cb := tr.pair(t)
	r = &relay{}
	r.wg.Add(2)
	go r.pump(x, y, 0, p)
	go r.pump(y, x, 1, p)
	t.Cleanup(func() {
		x.Close()
		y.Close()
		r.wg.Wait()
	})
	a, b = mustBoth(t, ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec(), optsA: optsA, optsB: optsB})
	return a, b, r
}

func (r *relay) pump(from, to net.Conn, dir int, p policy) {
	defer r.wg.Done()
	defer to.Close()
	defer from.Close()
	send := func(b []byte) error {
		r.mu.Lock()
		r.log.Write(b)
		r.mu.Unlock()
		_, err := to.Write(b)
		return err
	}
	buf := make([]byte, secure.MaxRecordLen)
	// The hello.
	if _, err := io.ReadFull(from, buf[:helloHeaderSize]); err != nil {
		return
	}
	n := helloHeaderSize + (int(buf[5])<<8 | int(buf[6]))
	if _, err := io.ReadFull(from, buf[helloHeaderSize:n]); err != nil || send(buf[:n]) != nil {
		return
	}
	// Two handshake messages each way.
	for range 2 {
		if _, err := io.ReadFull(from, buf[:secure.MessageHeaderLen]); err != nil {
			return
		}
		n, err := secure.MessageLen(buf)
		if err != nil {
			return
		}
		if _, err := io.ReadFull(from, buf[secure.MessageHeaderLen:n]); err != nil || send(buf[:n]) != nil {
			return
		}
	}
	// Records.
	for i := 0; ; i++ {
		if _, err := io.ReadFull(from, buf[:secure.RecordHeaderLen]); err != nil {
			return
		}
		n, err := secure.RecordLen(buf)
		if err != nil {
			return
		}
		if _, err := io.ReadFull(from, buf[secure.RecordHeaderLen:n]); err != nil {
			return
		}
		out := [][]byte{buf[:n]}
		if p != nil {
			out = p(dir, i, buf[:n])
		}
		for _, rec := range out {
			if send(rec) != nil {
				return
			}
		}
	}
}

func (r *relay) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.log.Bytes())
}

// sendEach sends the messages, each in a record of its own. Errors are
// ignored: after a tampered record the receiver closes, and the sender's
// writes may fail.
func sendEach(m *Messenger, ids ...uint32) {
	for _, id := range ids {
		if m.Send(&position{ID: id}) != nil || m.Flush(context.Background()) != nil {
			return
		}
	}
}

// recvUntilErr pumps m until Xfer fails and returns the ids received and
// the error.
func recvUntilErr(t *testing.T, m *Messenger) ([]uint32, error) {
	t.Helper()
	var ids []uint32
	var err error
	poll(t, "an Xfer error", func() bool {
		for msg := m.Get(); msg != nil; msg = m.Get() {
			ids = append(ids, msg.(*position).ID)
		}
		err = m.Xfer()
		return err != nil
	})
	return ids, err
}

func TestSecureTampering(t *testing.T) {
	cases := []struct {
		name string
		p    policy
		want []uint32 // ids b receives before the error
	}{
		{"flip", func(dir, i int, rec []byte) [][]byte {
			if dir == 0 && i == 1 {
				rec[secure.RecordHeaderLen+3] ^= 0x10
			}
			return [][]byte{rec}
		}, []uint32{1}},
		{"flip tag", func(dir, i int, rec []byte) [][]byte {
			if dir == 0 && i == 0 {
				rec[len(rec)-1] ^= 1
			}
			return [][]byte{rec}
		}, nil},
		{"replay", func(dir, i int, rec []byte) [][]byte {
			if dir == 0 && i == 0 {
				return [][]byte{rec, rec}
			}
			return [][]byte{rec}
		}, []uint32{1}},
		{"drop", func(dir, i int, rec []byte) [][]byte {
			if dir == 0 && i == 0 {
				return nil
			}
			return [][]byte{rec}
		}, nil},
		{"swap", nil, nil}, // swapPolicy, made per run
		{"truncate", func(dir, i int, rec []byte) [][]byte {
			if dir == 0 && i == 1 {
				return [][]byte{rec[:len(rec)-5]} // then a closes: the stream ends inside the record
			}
			return [][]byte{rec}
		}, []uint32{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				p := c.p
				if c.name == "swap" {
					p = swapPolicy()
				}
				a, b, _ := relayPair(t, tr, secureOpts("pw"), secureOpts("pw"), p)
				sendEach(a, 1, 2, 3)
				if c.name == "truncate" {
					a.Close() // the relay forwards the end of the stream after the cut record
				}
				ids, err := recvUntilErr(t, b)
				if !errors.Is(err, secure.ErrTampered) {
					t.Fatalf("Xfer: %v, want ErrTampered", err)
				}
				// What arrived before the bad record may be delivered
				// or dropped with the connection (depending on when Xfer
				// saw the failure); nothing else may.
				if len(ids) > len(c.want) || !slices.Equal(ids, c.want[:len(ids)]) {
					t.Fatalf("received %v before the error, want a prefix of %v", ids, c.want)
				}
				if err := b.Xfer(); !errors.Is(err, secure.ErrTampered) || b.Get() != nil {
					t.Fatalf("after the error: Xfer %v, Get not nil", err)
				}
			})
		})
	}
}

// swapPolicy holds the first record of a to b back and sends it after
// the second.
func swapPolicy() policy {
	var first []byte
	return func(dir, i int, rec []byte) [][]byte {
		switch {
		case dir == 0 && i == 0:
			first = bytes.Clone(rec)
			return nil
		case dir == 0 && i == 1:
			return [][]byte{rec, first}
		}
		return [][]byte{rec}
	}
}

// markerText is a string sent in a message, easy to find in a recording.
const markerText = "MARKER-7f3a9c-the-secret-plan"

// TestSecureNoPlaintext records every byte of a session and looks for a
// message sent in it. The same session without a secret shows the
// recording does see it.
func TestSecureNoPlaintext(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, secret := range []string{"", "guitarist-revenge"} {
			oa, ob := &Options{Secret: []byte(secret)}, &Options{Secret: []byte(secret)}
			a, b, r := relayPairAny(t, tr, oa, ob)
			for range 10 {
				msg := &message.MsgIdentify{Username: markerText, Hostname: markerText}
				if err := a.Send(msg); err != nil {
					t.Fatal(err)
				}
				if err := b.Send(msg); err != nil {
					t.Fatal(err)
				}
			}
			for _, got := range [][]message.Message{recvN(t, b, 10, a), recvN(t, a, 10, b)} {
				for _, msg := range got {
					if id, ok := msg.(*message.MsgIdentify); !ok || id.Username != markerText {
						t.Fatalf("got %#v", msg)
					}
				}
			}
			found := bytes.Contains(r.bytes(), []byte(markerText))
			if secret == "" && !found {
				t.Fatal("the plaintext session's recording lacks the marker: the recording is broken")
			}
			if secret != "" && found {
				t.Fatal("the marker is on the wire of a secure session")
			}
		}
	})
}

// relayPairAny is relayPair with a relay that forwards bytes as they come
// (plaintext sessions have no records).
func relayPairAny(t *testing.T, tr transport, optsA, optsB *Options) (a, b *Messenger, r *relay) {
	t.Helper()
	ca, x := tr.pair(t)
	y, cb := tr.pair(t)
	r = &relay{}
	copyLog := func(from, to net.Conn) {
		defer r.wg.Done()
		defer to.Close()
		buf := make([]byte, 4096)
		for {
			n, err := from.Read(buf)
			if n > 0 {
				r.mu.Lock()
				r.log.Write(buf[:n])
				r.mu.Unlock()
				if _, err := to.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	r.wg.Add(2)
	go copyLog(x, y)
	go copyLog(y, x)
	t.Cleanup(func() {
		x.Close()
		y.Close()
		r.wg.Wait()
	})
	a, b = mustBoth(t, ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec(), optsA: optsA, optsB: optsB})
	return a, b, r
}

// TestSecureHandshakeTimeout: a peer that sends a secure hello and then
// nothing makes New fail when its context ends, as initiator and as
// responder, leaving nothing running.
func TestSecureHandshakeTimeout(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, id := range []uint64{1, 3} { // initiator, responder
			c, raw := tr.pair(t)
			drained := make(chan struct{})
			go func() {
				defer close(drained)
				io.Copy(io.Discard, raw)
			}()
			peer := Hello{Version: SecureProtocolVersion, Codec: "byte", AppID: "test", PeerID: 2}
			go raw.Write(appendHello(nil, peer)) // on a pipe, Write waits for New's read
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			o := secureOpts("pw")
			o.PeerID = id
			m, err := New(ctx, c, byteCodec(), o)
			cancel()
			c.Close()
			raw.Close()
			<-drained
			if m != nil || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("peer id %d: New = %v, %v; want a deadline error", id, m, err)
			}
		}
	})
}

// TestSecureSmallReadBuffer: a secure stream through the smallest read
// buffer (records are larger than it), with the receiver lagging.
func TestSecureSmallReadBuffer(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newPair(t, tr, pairConfig{
			optsA: &Options{Secret: []byte("pw")},
			optsB: &Options{Secret: []byte("pw"), MaxReadBuffer: MinReadBuffer},
		})
		const n = 1000
		sent := 0
		var got []message.Message
		poll(t, "messages", func() bool {
			for sent < n {
				if err := a.Send(&position{ID: uint32(sent)}); err != nil {
					if errors.Is(err, ErrQueueFull) {
						break
					}
					t.Fatal(err)
				}
				sent++
			}
			xferOK(t, a, b)
			if msg := b.Get(); msg != nil { // one per pass: b lags
				got = append(got, msg)
			}
			return len(got) == n
		})
		for i, msg := range got {
			if p := msg.(*position); p.ID != uint32(i) {
				t.Fatalf("message %d has id %d", i, p.ID)
			}
		}
	})
}

// TestSecurePeerConn: a secure Messenger on a connector's Peer.Conn (a
// DirectConn) keeps the direct path: no reader goroutine.
func TestSecurePeerConn(t *testing.T) {
	a, b := newPair(t, peerConnTransport, benchSecure())
	if a.raw == nil || b.raw == nil {
		t.Fatal("a secure Messenger on Peer.Conn reads through a goroutine")
	}
	for i := range 100 {
		if err := b.Send(&position{ID: uint32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	recvN(t, a, 100, b)
	if a.live.Load() != 1 {
		t.Errorf("%d goroutines run for a, want only watch", a.live.Load())
	}
}

// TestSecureGuessError: a wrong code is a *GuessError on both sides (each
// gave the other its guess); a handshake that never reached the
// confirmation (the peer has no secret: the hello fails) is not.
func TestSecureGuessError(t *testing.T) {
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	_, _, errA, errB := newBoth(ca, cb, pairConfig{codecA: byteCodec(), codecB: byteCodec(),
		optsA: secureOpts("guitarist-revenge"), optsB: secureOpts("guitarist-revenue")})
	var ga, gb *GuessError
	if !errors.As(errA, &ga) || !errors.As(errB, &gb) || !errors.Is(errA, secure.ErrWrongCode) {
		t.Fatalf("errors %v / %v, want *GuessError wrapping ErrWrongCode on both sides", errA, errB)
	}
	cc, cd := net.Pipe()
	defer cc.Close()
	defer cd.Close()
	_, _, errC, errD := newBoth(cc, cd, pairConfig{codecA: byteCodec(), codecB: byteCodec(),
		optsA: secureOpts("guitarist-revenge"), optsB: &Options{}})
	if errC == nil || errD == nil || errors.As(errC, &ga) || errors.As(errD, &gb) {
		t.Fatalf("secure versus plain: %v / %v, want errors that are no *GuessError", errC, errD)
	}
}
