package messenger

import (
	"bytes"
	"errors"
	"io"
	"syscall"
	"testing"

	"github.com/cablecar-go/cablecar/secure"
)

var fuzzKey = [secure.KeySize]byte{7, 7, 7}

// chunkSource hands out stream in chunks of n bytes, with a "nothing there"
// (EAGAIN) between chunks, then io.EOF.
func chunkSource(stream []byte, n int) func([]byte) (int, error) {
	again := false
	return func(p []byte) (int, error) {
		if again = !again; again {
			return 0, syscall.EAGAIN
		}
		if len(stream) == 0 {
			return 0, io.EOF
		}
		k := copy(p, stream[:min(n, len(stream))])
		stream = stream[k:]
		return k, nil
	}
}

// drain reads rr to its end, into a small buffer (partial copies), and
// returns the plaintext and the final error.
func drain(t *testing.T, rr *recordReader) ([]byte, error) {
	var out []byte
	dst := make([]byte, 5)
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("recordReader does not end")
		}
		n, err := rr.read(dst)
		if n > len(dst) || n < 0 {
			t.Fatalf("read returned %d for a %d-byte buffer", n, len(dst))
		}
		out = append(out, dst[:n]...)
		if err != nil && !wouldBlock(err) {
			if n2, err2 := rr.read(dst); n2 != 0 || err2 != err {
				t.Fatalf("after the end: %d, %v; want 0, %v", n2, err2, err)
			}
			return out, err
		}
	}
}

// sealedStream seals data in batches of batch bytes, then the goodbye.
func sealedStream(t *testing.T, data []byte, batch int) []byte {
	s := secure.NewSealer(&fuzzKey)
	var stream, rec []byte
	var err error
	for len(data) > 0 {
		p := data[:min(batch, len(data))]
		if rec, err = sealQueue(s, rec, p, false); err != nil {
			t.Fatal(err)
		}
		stream = append(stream, rec...)
		data = data[len(p):]
	}
	if rec, err = sealQueue(s, rec, nil, true); err != nil {
		t.Fatal(err)
	}
	return append(stream, rec...)
}

// FuzzRecordStream: a stream of sealed records, fed in chunks, gives back
// exactly its payloads and ends at the goodbye; with any one bit flipped it
// gives a prefix of them and ErrTampered, never a byte that was not sent.
func FuzzRecordStream(f *testing.F) {
	f.Add([]byte("hello"), uint16(0xffff), uint8(3))
	f.Add([]byte("hello"), uint16(20), uint8(3))
	f.Add(bytes.Repeat([]byte("abc"), 100), uint16(3), uint8(40))
	f.Add(bytes.Repeat([]byte("xyz"), 100), uint16(900), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, flip uint16, chunk uint8) {
		stream := sealedStream(t, data, int(chunk)+1)
		bit := int(flip) % (len(stream)*8 + 1)
		flipped := bit < len(stream)*8
		if flipped {
			stream[bit/8] ^= 1 << (bit % 8)
		}
		rr := newRecordReader(secure.NewOpener(&fuzzKey), chunkSource(stream, int(chunk%7)+1))
		out, err := drain(t, rr)
		switch {
		case !flipped && (err != io.EOF || !bytes.Equal(out, data)):
			t.Fatalf("intact stream: got %d bytes (want %d), end %v", len(out), len(data), err)
		case flipped && !errors.Is(err, secure.ErrTampered):
			t.Fatalf("bit %d flipped: end %v, want ErrTampered", bit, err)
		case flipped && !bytes.HasPrefix(data, out):
			t.Fatalf("bit %d flipped: got bytes that were not sent", bit)
		}
	})
}

// FuzzRecordReader feeds any bytes to the record stage: it must end with a
// typed error and never panic; a stream that no one sealed with the key
// gives no plaintext.
func FuzzRecordReader(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add([]byte{0xff, 0xff, 1, 2, 3})
	f.Add([]byte{0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	f.Fuzz(func(t *testing.T, raw []byte) {
		rr := newRecordReader(secure.NewOpener(&[secure.KeySize]byte{9}), chunkSource(raw, 3))
		out, err := drain(t, rr)
		if !errors.Is(err, secure.ErrTampered) && !errors.Is(err, ErrCut) {
			t.Fatalf("end %v, want ErrTampered or ErrCut", err)
		}
		if len(out) != 0 {
			t.Fatalf("%d bytes of plaintext from a stream no one sealed", len(out))
		}
	})
}

// TestRecordReaderEnds: the ends of a stream of records.
func TestRecordReaderEnds(t *testing.T) {
	whole := sealedStream(t, []byte("payload"), 100)
	goodbyeLen := secure.RecordOverhead
	cases := []struct {
		name   string
		stream []byte
		want   error
	}{
		{"goodbye", whole, io.EOF},
		{"no goodbye", whole[:len(whole)-goodbyeLen], ErrCut},
		{"cut in a record", whole[:len(whole)-goodbyeLen-1], secure.ErrTampered},
		{"cut in a header", whole[:1], secure.ErrTampered},
		{"bytes after the goodbye", append(bytes.Clone(whole), 1, 2, 3), io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr := newRecordReader(secure.NewOpener(&fuzzKey), chunkSource(c.stream, 4))
			_, err := drain(t, rr)
			if !errors.Is(err, c.want) {
				t.Fatalf("end %v, want %v", err, c.want)
			}
		})
	}
}

// TestRecordStageAllocs: sealing a batch into a grown buffer and opening
// it allocate nothing.
func TestRecordStageAllocs(t *testing.T) {
	s, o := secure.NewSealer(&fuzzKey), secure.NewOpener(&fuzzKey)
	batch := bytes.Repeat(positionFrame(1), 64)
	var sealed []byte
	var stream []byte
	rr := newRecordReader(o, func(p []byte) (int, error) {
		n := copy(p, stream)
		stream = stream[n:]
		if n == 0 {
			return 0, syscall.EAGAIN
		}
		return n, nil
	})
	dst := make([]byte, len(batch))
	step := func() {
		var err error
		if sealed, err = sealQueue(s, sealed, batch, false); err != nil {
			t.Fatal(err)
		}
		stream = sealed
		if n, err := rr.read(dst); n != len(batch) || err != nil {
			t.Fatalf("read %d, %v", n, err)
		}
	}
	step()
	if a := testing.AllocsPerRun(100, step); a != 0 {
		t.Fatalf("%v allocations per batch", a)
	}
}
