package transcribe

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPartRoundTrip(t *testing.T) {
	for _, p := range []Part{
		{Kind: KindSize, N: 0},
		{Kind: KindSize, N: MaxBlobLimit},
		{Kind: KindData, N: 7, Data: []byte("x")},
		{Kind: KindData, N: 1 << 19, Data: bytes.Repeat([]byte("y"), MaxChunk)},
		{Kind: KindGot, N: 300},
		{Kind: KindAbort, Reason: AbortTooLarge, N: 1024},
	} {
		b := AppendPart(nil, p)
		if len(b) > 253 {
			t.Fatalf("%+v: %d bytes, over a byte-codec payload", p, len(b))
		}
		q, err := ParsePart(b)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		if q.Kind != p.Kind || q.N != p.N || q.Reason != p.Reason || !bytes.Equal(q.Data, p.Data) {
			t.Fatalf("got %+v, want %+v", q, p)
		}
	}
}

func TestParsePartBad(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{nil, "empty"},
		{[]byte{9, 0, 0, 0, 0}, "unknown kind"},
		{[]byte{KindSize, 0, 0, 0}, "want 4"},
		{[]byte{KindSize, 0, 0, 0, 0, 0}, "want 4"},
		{[]byte{KindSize, 0x7f, 0, 0, 0}, "over"},
		{[]byte{KindGot, 1}, "want 4"},
		{[]byte{KindData, 0, 0, 0, 0}, "want 5.."},
		{append([]byte{KindData, 0, 0, 0, 0}, make([]byte, MaxChunk+1)...), "want 5.."},
		{[]byte{KindAbort, 1, 0, 0, 0}, "want 5"},
	} {
		_, err := ParsePart(c.b)
		if !errors.Is(err, ErrBadPart) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePart(%x) = %v, want ErrBadPart saying %q", c.b, err, c.want)
		}
	}
}

func TestAssembler(t *testing.T) {
	blob := bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes: 5 data parts
	a := newAssembler(len(blob))
	ps := parts(blob)
	if len(ps) != 1+5 {
		t.Fatalf("%d parts, want 6", len(ps))
	}
	for i, p := range ps {
		done, err := a.add(p)
		if err != nil {
			t.Fatal(err)
		}
		if done != (i == len(ps)-1) {
			t.Fatalf("part %d: done %v", i, done)
		}
	}
	if !bytes.Equal(a.blob, blob) {
		t.Fatal("blob differs")
	}

	// An empty blob is one size part and done at once.
	if done, err := newAssembler(10).add(parts(nil)[0]); err != nil || !done {
		t.Fatalf("empty blob: done %v, %v", done, err)
	}

	// Errors.
	var se *SizeError
	if _, err := newAssembler(999).add(ps[0]); !errors.As(err, &se) || !se.Peer || se.Size != 1000 || se.Limit != 999 {
		t.Fatalf("over the limit: %v", err)
	}
	for name, seq := range map[string][]Part{
		"data first":  {ps[1]},
		"two sizes":   {ps[0], ps[0]},
		"a gap":       {ps[0], ps[2]},
		"a repeat":    {ps[0], ps[1], ps[1]},
		"too much":    {{Kind: KindSize, N: 3}, {Kind: KindData, Data: []byte("abcd")}},
		"got as blob": {{Kind: KindGot}},
	} {
		a := newAssembler(len(blob))
		var err error
		for _, p := range seq {
			if _, err = a.add(p); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: %v, want ErrProtocol", name, err)
		}
	}
}

// FuzzParsePart: ParsePart never panics, and what it accepts encodes back
// to the same bytes.
func FuzzParsePart(f *testing.F) {
	for _, p := range []Part{
		{Kind: KindSize, N: 5}, {Kind: KindData, N: 0, Data: []byte("hello")},
		{Kind: KindGot, N: 5}, {Kind: KindAbort, Reason: AbortTooLarge, N: 4},
	} {
		f.Add(AppendPart(nil, p))
	}
	f.Add([]byte{})
	f.Add([]byte{KindData, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePart(b)
		if err != nil {
			if !errors.Is(err, ErrBadPart) {
				t.Fatalf("error %v is not ErrBadPart", err)
			}
			return
		}
		if got := AppendPart(nil, p); !bytes.Equal(got, b) {
			t.Fatalf("%x parsed to %+v, which encodes to %x", b, p, got)
		}
		a := newAssembler(MaxBlobLimit)
		a.add(Part{Kind: KindSize, N: MaxBlobLimit})
		a.add(p) // must not panic either
	})
}
