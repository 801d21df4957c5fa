package room

import (
	"fmt"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// FuzzControl feeds any bytes to the codec with the room's control
// messages registered, as a peer's stream would: decoding never panics,
// and a control message that decodes has a valid group name and encodes
// back to a frame that decodes to the same value.
func FuzzControl(f *testing.F) {
	c := newCodec()
	if err := registerControls(c); err != nil {
		f.Fatal(err)
	}
	for _, m := range []message.Message{
		&ctrlJoin{groupField{"red"}}, &ctrlLeave{groupField{"red"}}, &ctrlTag{}, &ctrlTag{groupField{"g"}},
		&ctrlBye{}, &ctrlNotify{G: "jobs", N: 10}, &ctrlItem{G: "jobs", Seq: 7}, &ctrlAck{Seq: 7},
	} {
		frame, err := c.AppendFrame(nil, m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(frame)
	}
	f.Add([]byte{2, codeNotify})
	f.Add([]byte{5, codeItem, 0, 0, 0})
	f.Add([]byte{4, codeJoin, 0xff, 0xfe})
	f.Add([]byte{10, codeAck, 1, 2, 3, 4, 5, 6, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			m, n, err := c.Decode(b)
			if err != nil {
				de, ok := err.(*message.DecodeError)
				if !ok || de.Skip <= 0 {
					return
				}
				b = b[de.Skip:]
				continue
			}
			if n == 0 {
				return
			}
			b = b[n:]
			var g string
			switch m := m.(type) {
			case *ctrlJoin:
				g = m.G
			case *ctrlLeave:
				g = m.G
			case *ctrlTag:
				g = m.G
			case *ctrlNotify:
				g = m.G
			case *ctrlItem:
				g = m.G
			default:
				continue
			}
			if g != "" && checkGroup(g) != nil {
				t.Fatalf("%T decoded with a bad group name %q", m, g)
			}
			frame, err := c.AppendFrame(nil, m)
			if err != nil {
				t.Fatalf("%T %+v does not encode: %v", m, m, err)
			}
			back, _, err := c.Decode(frame)
			if err != nil {
				t.Fatalf("%T %+v: its frame does not decode: %v", m, m, err)
			}
			if a, b := describe(m), describe(back); a != b {
				t.Fatalf("round trip: %s became %s", a, b)
			}
		}
	})
}

func describe(m message.Message) string {
	switch m := m.(type) {
	case *ctrlJoin, *ctrlLeave, *ctrlTag, *ctrlBye, *ctrlNotify, *ctrlItem, *ctrlAck:
		return fmtAny(m)
	}
	return m.MessageName()
}

func fmtAny(v any) string { return fmt.Sprintf("%T%+v", v, v) }
