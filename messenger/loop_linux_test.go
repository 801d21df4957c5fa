package messenger

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/cablecar-go/cablecar/message"
)

// inKernel returns the bytes waiting in m's socket receive buffer.
func inKernel(t testing.TB, m *Messenger) int {
	t.Helper()
	var n int
	var ierr error
	if err := m.raw.rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }); err != nil || ierr != nil {
		t.Fatal(err, ierr)
	}
	return n
}

// TestReplyInSameFrame: with the documented loop order (Xfer, Get, Send,
// Xfer) a message is answered in the frame that reads it, so a ping sent in
// frame 1 has its answer read in frame 2; with Send after the frame's only
// Xfer, each of the two messages waits a frame for the next Xfer and the
// answer is read in frame 4. Between two frames the test waits until the
// peer's socket has every byte written and the peer is ready to read them
// (loopback takes microseconds; a frame is milliseconds), so it counts
// frames, not time.
func TestReplyInSameFrame(t *testing.T) {
	for _, c := range []struct {
		name      string
		endXfer   bool
		wantFrame int
	}{
		{"xfer get send xfer", true, 2},
		{"xfer get send", false, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := newPair(t, tcpTransport, pairConfig{})
			// frame plays one frame of m's loop and then waits until what it
			// wrote is in peer's socket.
			frame := func(m, peer *Messenger, answer func(message.Message) message.Message, send message.Message) []message.Message {
				xferOK(t, m)
				var got []message.Message
				for msg := m.Get(); msg != nil; msg = m.Get() {
					got = append(got, msg)
					if r := answer(msg); r != nil {
						if err := m.Send(r); err != nil {
							t.Fatal(err)
						}
					}
				}
				if send != nil {
					if err := m.Send(send); err != nil {
						t.Fatal(err)
					}
				}
				if c.endXfer {
					xferOK(t, m)
				}
				out := m.Stats().BytesOut
				poll(t, "the bytes at the peer", func() bool {
					inK := inKernel(t, peer)
					return peer.Stats().BytesIn+uint64(inK) == out &&
						// and the peer's next Xfer reads them: it reads on
						// every call while hot or unarmed, else once watch
						// has seen the socket readable.
						(inK == 0 || peer.hot || !peer.armed || peer.events.Load()&evReadable != 0)
				})
				return got
			}
			none := func(message.Message) message.Message { return nil }
			pong := func(message.Message) message.Message { return &position{ID: 2} }
			for f := 1; f <= 6; f++ {
				var ping message.Message
				if f == 1 {
					ping = &position{ID: 1}
				}
				got := frame(a, b, none, ping)
				if len(got) != 0 {
					if got[0].(*position).ID != 2 || f != c.wantFrame {
						t.Fatalf("a read %+v in frame %d; want the answer in frame %d", got[0], f, c.wantFrame)
					}
					return
				}
				frame(b, a, pong, nil)
			}
			t.Fatalf("no answer in 6 frames; want it in frame %d", c.wantFrame)
		})
	}
}
