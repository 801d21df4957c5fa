package relay

import (
	"bytes"
	"errors"
	"testing"
)

// The parsers of presence beacons and stream frames take any bytes a
// client of the server may publish: they return errFrame or a value that
// encodes back to the same bytes, never panic.
func FuzzParse(f *testing.F) {
	f.Add(appendPresence(nil, presenceMsg{id: 1, epoch: 2, name: "alice"}))
	f.Add(appendPresence(nil, presenceMsg{bye: true, id: 3, epoch: 4}))
	f.Add(append(appendFrameHeader(nil, kindOpen, 1, 2, 0), "bob"...))
	f.Add(append(appendFrameHeader(nil, kindData, 1, 2, 3), "bytes"...))
	f.Add(appendFrameHeader(nil, kindFin, 1, 2, 9))
	f.Add(appendAck(nil, 1, 2, 3, 4, true))
	f.Add([]byte{})
	f.Add([]byte{'D', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := parsePresence(b); err == nil {
			if !bytes.Equal(appendPresence(nil, p), normPresence(b)) {
				t.Fatalf("presence %x does not round-trip: %+v", b, p)
			}
		} else if !errors.Is(err, errFrame) {
			t.Fatal(err)
		}
		fr, err := parseFrame(b)
		if err != nil {
			if !errors.Is(err, errFrame) {
				t.Fatal(err)
			}
			return
		}
		var out []byte
		switch fr.kind {
		case kindAck:
			out = appendAck(nil, fr.from, fr.stream, fr.seq, fr.read, fr.nack)
			out[len(out)-1] = b[len(b)-1] // other flag bits are ignored
			if fr.nack != (b[len(b)-1]&1 != 0) {
				t.Fatal("nack flag")
			}
		default:
			out = append(appendFrameHeader(nil, fr.kind, fr.from, fr.stream, fr.seq), fr.data...)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("frame %x does not round-trip: %x", b, out)
		}
	})
}

// normPresence clears the flag bits a parser ignores.
func normPresence(b []byte) []byte {
	c := bytes.Clone(b)
	c[1] &= 1
	return c
}
