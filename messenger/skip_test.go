package messenger

import (
	"bytes"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// decodeCounter wraps a codec and counts the frames it decodes or skips
// and the bytes those take, for the work of one Xfer and its Gets.
type decodeCounter struct {
	message.Codec
	calls, skips, skipBytes int
}

func (c *decodeCounter) Decode(buf []byte) (message.Message, int, error) {
	msg, n, err := c.Codec.Decode(buf)
	c.count(n, err)
	return msg, n, err
}

func (c *decodeCounter) count(n int, err error) {
	c.calls++
	if err != nil && n > 0 {
		c.skips++
		c.skipBytes += n
	}
}

// resumableCounter is decodeCounter for a codec with DecodeFrom (JSON).
type resumableCounter struct{ decodeCounter }

func (c *resumableCounter) DecodeFrom(buf []byte, from int) (message.Message, int, error) {
	msg, n, err := c.Codec.(message.ResumableDecoder).DecodeFrom(buf, from)
	c.count(n, err)
	return msg, n, err
}

// TestSkipBudget: a peer that sends nothing but skippable frames (bare
// "\n" lines to a JSON Messenger, frames of an unknown type to a byte
// one) cannot make one Xfer and its Gets do more than the skip budget:
// at most skipBudgetFrames frames or skipBudgetBytes bytes (plus the
// frame that crossed it) are skipped per Xfer, whatever is buffered. The
// message behind the flood still arrives, and the skips are all counted.
func TestSkipBudget(t *testing.T) {
	const flood = 96 << 10
	quitLine, err := jsonCodec().AppendFrame(nil, &message.MsgQuit{})
	if err != nil {
		t.Fatal(err)
	}
	unknown := bytes.Repeat([]byte{2, 0x7f}, flood/2)
	bigUnknown := bytes.Repeat(append([]byte{255, 0x7f}, make([]byte, 253)...), flood/255)
	cases := []struct {
		name    string
		counter func() (message.Codec, *decodeCounter)
		stream  []byte
		last    []byte
		skips   int
	}{
		{"json newlines", func() (message.Codec, *decodeCounter) {
			c := &resumableCounter{decodeCounter{Codec: jsonCodec()}}
			return c, &c.decodeCounter
		}, bytes.Repeat([]byte{'\n'}, flood), quitLine, flood},
		{"byte unknown codes", func() (message.Codec, *decodeCounter) {
			c := &decodeCounter{Codec: byteCodec()}
			return c, c
		}, unknown, []byte{2, 0x04}, flood / 2},
		{"byte unknown, large frames", func() (message.Codec, *decodeCounter) {
			c := &decodeCounter{Codec: byteCodec()}
			return c, c
		}, bigUnknown, []byte{2, 0x04}, flood / 255},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				codec, counter := c.counter()
				raw, m := compatMessenger(t, tr, codec, Options{})
				go raw.Write(append(c.stream, c.last...))
				var got []message.Message
				maxSkips, maxBytes := 0, 0
				poll(t, "the message after the flood", func() bool {
					counter.skips, counter.skipBytes = 0, 0
					xferOK(t, m)
					for msg := m.Get(); msg != nil; msg = m.Get() {
						got = append(got, msg)
					}
					maxSkips = max(maxSkips, counter.skips)
					maxBytes = max(maxBytes, counter.skipBytes)
					return len(got) > 0
				})
				if _, ok := got[0].(*message.MsgQuit); !ok || len(got) != 1 {
					t.Fatalf("got %v, want the MsgQuit", got)
				}
				if maxSkips > skipBudgetFrames || maxBytes >= skipBudgetBytes+message.MaxByteFrame {
					t.Errorf("one Xfer and its Gets skipped up to %d frames, %d bytes; the budget is %d frames, %d bytes",
						maxSkips, maxBytes, skipBudgetFrames, skipBudgetBytes)
				}
				xferOK(t, m) // publishes the counts of the last Gets
				if st := m.Stats(); st.SkippedFrames != uint64(c.skips) {
					t.Errorf("SkippedFrames = %d, want %d; %+v, counter %d calls", st.SkippedFrames, c.skips, st, counter.calls)
				}
			})
		})
	}
}

// TestReadBufferGrowsOnlyForProvenPeers: a peer from which no message has
// arrived yet keeps the initial read buffer however much it sends (here a
// flood of frames to skip), except for one frame larger than the buffer
// (here a 20 KiB JSON line as its first message); once a message has
// arrived, bulk reads grow the buffer.
func TestReadBufferGrowsOnlyForProvenPeers(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, byteCodec(), Options{})
		const n = 100 << 10
		go raw.Write(bytes.Repeat([]byte{2, 0x7f}, n))
		poll(t, "the flood skipped", func() bool {
			xferOK(t, m)
			for m.Get() != nil {
				t.Fatal("a message from the flood")
			}
			st := m.Stats()
			if st.ReadBufferCap > initialReadBuffer {
				t.Fatalf("ReadBufferCap %d for a peer that sent no message; want %d", st.ReadBufferCap, initialReadBuffer)
			}
			return st.SkippedFrames == n
		})
		// A message proves the peer: a flood of messages (not consumed
		// until it has all arrived) grows the buffer.
		const k = 10 << 10
		go raw.Write(bytes.Repeat(positionFrame(3), k))
		got := 0
		poll(t, "the messages", func() bool {
			xferOK(t, m)
			if got > 0 && m.Stats().ReadBufferCap == initialReadBuffer {
				return false // let the bytes pile up once, after the first message
			}
			for msg := m.Get(); msg != nil; msg = m.Get() {
				got++
			}
			return got == k
		})
		if st := m.Stats(); st.ReadBufferCap <= initialReadBuffer {
			t.Errorf("ReadBufferCap %d after %d messages; want it grown", st.ReadBufferCap, k)
		}
	})
	forEachTransport(t, func(t *testing.T, tr transport) {
		raw, m := compatMessenger(t, tr, jsonCodec(), Options{})
		big := &message.MsgIdentify{Username: string(bytes.Repeat([]byte{'u'}, 20<<10)), Hostname: "h"}
		line, err := jsonCodec().AppendFrame(nil, big)
		if err != nil {
			t.Fatal(err)
		}
		go raw.Write(line)
		got := recvN(t, m, 1)
		if got[0].(*message.MsgIdentify).Username != big.Username {
			t.Fatal("the big first message arrived altered")
		}
	})
}
