package messenger

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// TestHelloLayout pins the documented byte layout of the hello.
func TestHelloLayout(t *testing.T) {
	h := Hello{Version: 1, Codec: "byte", AppID: "pong", PeerID: 0x0102030405060708}
	want := []byte{
		'C', 'C', 'A', 'R', // magic
		1,     // version
		0, 18, // body length: 1+4 + 1+4 + 8
		4, 'b', 'y', 't', 'e',
		4, 'p', 'o', 'n', 'g',
		1, 2, 3, 4, 5, 6, 7, 8,
	}
	got := appendHello(nil, h)
	if !bytes.Equal(got, want) {
		t.Fatalf("appendHello = % x, want % x", got, want)
	}
	back, n, err := parseHello(got, h)
	if err != nil || n != len(got) || back != h {
		t.Errorf("parseHello = %+v, %d, %v", back, n, err)
	}
}

// TestHelloMismatch: two ends that differ in codec or app id both fail at
// once with a HelloError naming the field.
func TestHelloMismatch(t *testing.T) {
	cases := []struct {
		name  string
		cfg   pairConfig
		field string
	}{
		{"codec", pairConfig{codecA: byteCodec(), codecB: jsonCodec()}, "codec"},
		{"renamed codec", pairConfig{codecA: byteCodec(), codecB: renamed{byteCodec(), "byte2"}}, "codec"},
		{"app id", pairConfig{optsA: &Options{AppID: "pong"}, optsB: &Options{AppID: "chess"}}, "app id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				cfg := c.cfg
				if cfg.codecA == nil {
					cfg.codecA, cfg.codecB = byteCodec(), byteCodec()
				}
				ca, cb := tr.pair(t)
				defer ca.Close()
				defer cb.Close()
				a, b, errA, errB := newBoth(ca, cb, cfg)
				if a != nil || b != nil {
					t.Fatal("New succeeded on a mismatched pair")
				}
				for _, err := range []error{errA, errB} {
					var he *HelloError
					if !errors.As(err, &he) || he.Field != c.field || !errors.Is(err, ErrBadHello) {
						t.Errorf("New = %v, want a HelloError on %q", err, c.field)
					}
				}
			})
		})
	}
}

// TestHelloFromRawPeer: a peer that sends something other than our hello
// is refused with a clear error, and New reads no more than a hello.
func TestHelloFromRawPeer(t *testing.T) {
	local := Hello{Version: ProtocolVersion, Codec: "byte", PeerID: 9}
	v2 := appendHello(nil, local)
	v2[4] = 2
	v1 := appendHello(nil, local) // the first release: no pings in its stream
	v1[4] = 1
	badCodecLen := appendHello(nil, local)
	badCodecLen[7] = 200
	cases := []struct {
		name  string
		sent  []byte
		field string
	}{
		{"cable_car peer", []byte{2, 0x02, 2, 0x04, 0, 0, 0}, "magic"},
		{"http", []byte("GET / HTTP/1.1\r\n\r\n"), "magic"},
		{"version 2", v2, "version"},
		{"version 1", v1, "version"},
		{"huge body", []byte{'C', 'C', 'A', 'R', ProtocolVersion, 0xff, 0xff}, "length"},
		{"bad codec length", badCodecLen, "length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				raw, conn := tr.pair(t)
				defer raw.Close()
				defer conn.Close()
				go io.Copy(io.Discard, raw)
				go raw.Write(c.sent)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, err := New(ctx, conn, byteCodec(), nil)
				var he *HelloError
				if !errors.As(err, &he) || he.Field != c.field {
					t.Errorf("New = %v, want a HelloError on %q", err, c.field)
				}
			})
		})
	}
}

// TestHelloReadsNoMore: bytes the peer sends right after its hello are the
// first message, not part of the hello.
func TestHelloReadsNoMore(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, conn := tr.pair(t)
		defer raw.Close()
		hello := appendHello(nil, Hello{Version: ProtocolVersion, Codec: "byte", AppID: "x", PeerID: 5})
		go io.Copy(io.Discard, raw)
		go raw.Write(append(hello, positionFrame(42)...))
		m, err := New(context.Background(), conn, byteCodec(), &Options{AppID: "x"})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if m.Remote().PeerID != 5 || m.Remote().AppID != "x" {
			t.Errorf("Remote = %+v", m.Remote())
		}
		got := recvN(t, m, 1)
		if got[0].(*position).ID != 42 {
			t.Errorf("first message %+v, want position 42", got[0])
		}
	})
}

func TestPeerIDs(t *testing.T) {
	t.Parallel()
	a, b := newPair(t, transports[0], pairConfig{optsA: &Options{PeerID: 77}})
	if a.Local().PeerID != 77 || b.Remote().PeerID != 77 {
		t.Errorf("a.Local %+v, b.Remote %+v", a.Local(), b.Remote())
	}
	if b.Local().PeerID == 0 || a.Remote().PeerID != b.Local().PeerID {
		t.Errorf("random PeerID: b.Local %+v, a.Remote %+v", b.Local(), a.Remote())
	}
}

// FuzzHello: parseHello never panics, and what it accepts is exactly what
// appendHello writes.
func FuzzHello(f *testing.F) {
	local := Hello{Version: ProtocolVersion, Codec: "byte", AppID: "game"}
	f.Add(appendHello(nil, Hello{Version: 1, Codec: "byte", AppID: "game", PeerID: 1}))
	f.Add(appendHello(nil, Hello{Version: 1, Codec: "json", AppID: "", PeerID: 1 << 63}))
	f.Add([]byte("CCAR\x01\x00\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("CCAR\x01\xff\xff"))
	f.Add([]byte("CCAR"))
	f.Add([]byte{})
	f.Add([]byte("\x02\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := parseHello(b, local)
		if err != nil {
			var he *HelloError
			if !errors.As(err, &he) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("parseHello error %v is neither a HelloError nor ErrUnexpectedEOF", err)
			}
			return
		}
		if n > len(b) || n > helloHeaderSize+maxHelloBody {
			t.Fatalf("parseHello used %d bytes of %d", n, len(b))
		}
		if again := appendHello(nil, h); !bytes.Equal(again, b[:n]) {
			t.Fatalf("parseHello(% x) = %+v, which encodes as % x", b[:n], h, again)
		}
	})
}

// FuzzStream feeds arbitrary bytes, in arbitrary pieces, to a compat
// Messenger with the byte codec: it must deliver or reject them without a
// panic, a hang or a buffer past its limit.
func FuzzStream(f *testing.F) {
	f.Add(append(positionFrame(1), 2, 2), uint8(1))
	f.Add([]byte{0, 1, 2}, uint8(3))
	f.Add([]byte{5, 0x7f, 1, 2, 3, 2, 4}, uint8(2))
	f.Add(bytes.Repeat([]byte{255}, 600), uint8(7))
	f.Add([]byte{1}, uint8(0))
	f.Add(append([]byte{11, 1}, "a@b\xff\x00\x01bcd"...), uint8(5))
	f.Fuzz(func(t *testing.T, stream []byte, piece uint8) {
		if len(stream) > 8<<10 { // 32 read buffers: enough, and a long
			stream = stream[:8<<10] // stream in 1-byte pieces is slow
		}
		raw, conn := net.Pipe()
		defer raw.Close()
		m, err := New(context.Background(), conn, byteCodec(), &Options{Compat: true, MaxReadBuffer: MinReadBuffer})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		go func() {
			step := int(piece)%16 + 1
			for i := 0; i < len(stream); i += step {
				if _, err := raw.Write(stream[i:min(i+step, len(stream))]); err != nil {
					return
				}
			}
			raw.Close()
		}()
		// Recv waits for the reader goroutine on a channel: no spinning
		// loop that leaves the other goroutines only the scheduler's
		// preemption slots (which made this target run ~20 inputs a
		// second).
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			_, err := m.Recv(ctx)
			if st := m.Stats(); st.ReadBufferCap > MinReadBuffer {
				t.Fatalf("read buffer %d past its limit", st.ReadBufferCap)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("the stream never ended: compact %v r %d limit %d stalled %v readDone %v events %b rw %x lastRW %x epoch %d pubR %x pub %x buf %d throttled %v", m.compact, m.r, m.limit, m.stalled, m.readDone, m.events.Load(), m.rw.Load(), m.lastRW, m.epoch, m.pubR, m.pub.Load(), len(m.rbuf), m.throttled)
			}
			if err != nil {
				var de *message.DecodeError
				if errors.As(err, &de) && de.Recoverable() {
					t.Fatalf("Recv returned a recoverable error %v", err)
				}
				return // the end of the stream, or a fatal decode error
			}
		}
	})
}
