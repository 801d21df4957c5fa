package messenger

import (
	"bytes"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// scanCounter wraps the JSON codec and counts the bytes each DecodeFrom call
// has to look at (those after from).
type scanCounter struct {
	*message.JSONCodec
	scanned int
	calls   int
}

func (s *scanCounter) DecodeFrom(buf []byte, from int) (message.Message, int, error) {
	s.calls++
	s.scanned += len(buf) - from
	return s.JSONCodec.DecodeFrom(buf, from)
}

// TestTrickledLineScannedOnce: a JSON line that arrives a byte at a time is
// decoded correctly, and the Messenger resumes the codec's scan where it
// stopped, so each byte is looked at about once, not once per arrival.
func TestTrickledLineScannedOnce(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		codec := &scanCounter{JSONCodec: jsonCodec().(*message.JSONCodec)}
		raw, m := compatMessenger(t, tr, codec, Options{})
		line, err := codec.AppendFrame(nil, &message.MsgIdentify{Username: string(bytes.Repeat([]byte{'u'}, 300)), Hostname: "h"})
		if err != nil {
			t.Fatal(err)
		}
		line, _ = codec.AppendFrame(line, &message.MsgQuit{})
		var got []message.Message
		for k := 1; k <= len(line); k++ {
			if _, err := raw.Write(line[k-1 : k]); err != nil {
				t.Fatal(err)
			}
			poll(t, "one byte", func() bool {
				xferOK(t, m)
				return m.Stats().BytesIn == uint64(k)
			})
			for msg := m.Get(); msg != nil; msg = m.Get() {
				got = append(got, msg)
			}
		}
		if len(got) != 2 || len(got[0].(*message.MsgIdentify).Username) != 300 {
			t.Fatalf("got %v", got)
		}
		// Without resuming, the scans would add up to about len(line)²/2.
		if codec.scanned > 2*len(line) {
			t.Errorf("the codec scanned %d bytes in %d calls for a %d-byte stream", codec.scanned, codec.calls, len(line))
		}
	})
}
