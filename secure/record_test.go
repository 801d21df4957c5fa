package secure

import (
	"bytes"
	"errors"
	"testing"
)

func testKeys() (a, b Keys) {
	var k1, k2 [KeySize]byte
	for i := range k1 {
		k1[i], k2[i] = byte(i), byte(100+i)
	}
	return Keys{Send: k1, Recv: k2, use: new(keyUse)}, Keys{Send: k2, Recv: k1, use: new(keyUse)}
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	ka, kb := testKeys()
	s, o := ka.Sealer(), kb.Opener()
	for _, n := range []int{0, 1, 100, MaxRecordPayload} {
		p := bytes.Repeat([]byte{byte(n)}, n)
		rec, err := s.Seal(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) != n+RecordOverhead {
			t.Fatalf("record of %d bytes for %d", len(rec), n)
		}
		if m, err := RecordLen(rec); err != nil || m != len(rec) {
			t.Fatalf("RecordLen = %d, %v", m, err)
		}
		if n > 8 && bytes.Contains(rec, p[:8]) {
			t.Fatal("plaintext in the record")
		}
		got, err := o.Open(nil, rec)
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("Open: %d bytes, %v", len(got), err)
		}
	}
	// Seal appends; Open appends.
	rec, _ := s.Seal([]byte("prefix"), []byte("payload"))
	if string(rec[:6]) != "prefix" {
		t.Fatal("Seal did not append")
	}
	got, err := o.Open([]byte("out:"), rec[6:])
	if err != nil || string(got) != "out:payload" {
		t.Fatalf("Open appended %q, %v", got, err)
	}
	// The other direction's key does not open it.
	rec, _ = s.Seal(nil, []byte("x"))
	if _, err := ka.Opener().Open(nil, rec); !errors.Is(err, ErrTampered) {
		t.Fatalf("opened with the wrong direction's key: %v", err)
	}
	if _, err := s.Seal(nil, make([]byte, MaxRecordPayload+1)); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("too large: %v", err)
	}
}

func TestRecordInPlace(t *testing.T) {
	t.Parallel()
	ka, kb := testKeys()
	s, o := ka.Sealer(), kb.Opener()
	buf := make([]byte, 64+RecordOverhead)
	payload := buf[RecordHeaderLen : RecordHeaderLen+64]
	copy(payload, bytes.Repeat([]byte("m"), 64))
	rec, err := s.Seal(buf[:0], payload)
	if err != nil {
		t.Fatal(err)
	}
	if &rec[0] != &buf[0] || len(rec) != len(buf) {
		t.Fatal("Seal did not work in place")
	}
	got, err := o.Open(rec[RecordHeaderLen:RecordHeaderLen], rec)
	if err != nil || &got[0] != &buf[RecordHeaderLen] || !bytes.Equal(got, bytes.Repeat([]byte("m"), 64)) {
		t.Fatalf("Open in place: %v", err)
	}
	// Inexact overlaps are refused, not a panic.
	buf = make([]byte, 200)
	if _, err := s.Seal(buf[:1], buf[RecordHeaderLen:RecordHeaderLen+64]); !errors.Is(err, ErrBufferOverlap) {
		t.Fatalf("Seal overlap: %v", err)
	}
	if _, err := s.Seal(buf[:0], buf[:64]); !errors.Is(err, ErrBufferOverlap) {
		t.Fatalf("Seal over the header: %v", err)
	}
	rec, _ = s.Seal(make([]byte, 0, 200), []byte("abc"))
	if _, err := o.Open(rec[:0], rec); !errors.Is(err, ErrBufferOverlap) {
		t.Fatalf("Open overlap: %v", err)
	}
	// A refused overlap is not fatal: the record still opens.
	if got, err := o.Open(nil, rec); err != nil || string(got) != "abc" {
		t.Fatalf("after overlap: %q, %v", got, err)
	}
}

// TestRecordAttacks: every change an attacker on the stream can make
// fails with ErrTampered, and the Opener stays failed.
func TestRecordAttacks(t *testing.T) {
	t.Parallel()
	seal3 := func() (*Opener, [][]byte) {
		ka, kb := testKeys()
		s := ka.Sealer()
		var recs [][]byte
		for _, m := range []string{"first", "second", "third"} {
			r, _ := s.Seal(nil, []byte(m))
			recs = append(recs, r)
		}
		return kb.Opener(), recs
	}
	flip := func(r []byte, i int) []byte { r = bytes.Clone(r); r[i] ^= 1; return r }
	for _, c := range []struct {
		name string
		feed func(r [][]byte) [][]byte // what reaches the opener
	}{
		{"replayed", func(r [][]byte) [][]byte { return [][]byte{r[0], r[0]} }},
		{"dropped", func(r [][]byte) [][]byte { return [][]byte{r[0], r[2]} }},
		{"reordered", func(r [][]byte) [][]byte { return [][]byte{r[1], r[0]} }},
		{"truncated", func(r [][]byte) [][]byte { return [][]byte{r[0][:len(r[0])-1]} }},
		{"extended", func(r [][]byte) [][]byte { return [][]byte{append(bytes.Clone(r[0]), 0)} }},
		{"empty", func(r [][]byte) [][]byte { return [][]byte{{}} }},
		{"header only", func(r [][]byte) [][]byte { return [][]byte{r[0][:RecordHeaderLen]} }},
		{"length changed", func(r [][]byte) [][]byte { return [][]byte{flip(r[0], 1)} }},
		{"length too big", func(r [][]byte) [][]byte { return [][]byte{{0xff, 0xff, 1, 2, 3}} }},
		{"ciphertext bit", func(r [][]byte) [][]byte { return [][]byte{flip(r[0], RecordHeaderLen)} }},
		{"tag bit", func(r [][]byte) [][]byte { return [][]byte{flip(r[0], len(r[0])-1)} }},
		{"spliced", func(r [][]byte) [][]byte { return [][]byte{append(bytes.Clone(r[0][:2]), r[1][2:]...)} }},
	} {
		o, recs := seal3()
		feed := c.feed(recs)
		var err error
		for _, r := range feed {
			if _, err = o.Open(nil, r); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrTampered) {
			t.Errorf("%s: %v, want ErrTampered", c.name, err)
			continue
		}
		// Fatal: the genuine next record does not open either.
		if _, err := o.Open(nil, recs[1]); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: opener recovered: %v", c.name, err)
		}
	}
	// Every single bit flip of a record fails.
	_, recs := seal3()
	for bit := range 8 * len(recs[0]) {
		ka, kb := testKeys()
		_ = ka
		r := bytes.Clone(recs[0])
		r[bit/8] ^= 1 << (bit % 8)
		if _, err := kb.Opener().Open(nil, r); !errors.Is(err, ErrTampered) {
			t.Fatalf("bit %d flipped: %v", bit, err)
		}
	}
}

func TestRecordLen(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		hdr  []byte
		want int
		ok   bool
	}{
		{[]byte{0, 0}, RecordOverhead, true},
		{[]byte{0x40, 0x00}, MaxRecordLen, true},
		{[]byte{0x40, 0x01}, 0, false},
		{[]byte{0xff, 0xff}, 0, false},
		{[]byte{0}, 0, false},
		{nil, 0, false},
	} {
		n, err := RecordLen(c.hdr)
		if n != c.want || c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrTampered)) {
			t.Errorf("RecordLen(%x) = %d, %v", c.hdr, n, err)
		}
	}
}

func TestSealerExhausted(t *testing.T) {
	t.Parallel()
	ka, _ := testKeys()
	s := ka.Sealer()
	s.seq = 1<<64 - 1
	if _, err := s.Seal(nil, []byte("x")); !errors.Is(err, ErrExhausted) {
		t.Fatalf("%v", err)
	}
}

// TestRecordZeroAlloc: sealing and opening in place allocate nothing.
func TestRecordZeroAlloc(t *testing.T) {
	ka, kb := testKeys()
	s, o := ka.Sealer(), kb.Opener()
	buf := make([]byte, MaxRecordLen)
	allocs := testing.AllocsPerRun(100, func() {
		rec, err := s.Seal(buf[:0], buf[RecordHeaderLen:RecordHeaderLen+1000])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.Open(rec[RecordHeaderLen:RecordHeaderLen], rec); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per record", allocs)
	}
}

func benchSealOpen(b *testing.B, n int) {
	ka, kb := testKeys()
	s, o := ka.Sealer(), kb.Opener()
	buf := make([]byte, n+RecordOverhead)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		rec, err := s.Seal(buf[:0], buf[RecordHeaderLen:RecordHeaderLen+n])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := o.Open(rec[RecordHeaderLen:RecordHeaderLen], rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealOpen16K seals and opens one full record in place.
func BenchmarkSealOpen16K(b *testing.B) { benchSealOpen(b, MaxRecordPayload) }

// BenchmarkSealOpen64 seals and opens one small record (a typical game
// message batch) in place.
func BenchmarkSealOpen64(b *testing.B) { benchSealOpen(b, 64) }

// FuzzOpen: arbitrary bytes given to an Opener never panic, give only
// ErrTampered (or ErrBufferOverlap), and never open except for the one
// genuine record.
func FuzzOpen(f *testing.F) {
	ka, _ := testKeys()
	s := ka.Sealer()
	genuine, _ := s.Seal(nil, []byte("hello"))
	f.Add(genuine)
	f.Add(genuine[:len(genuine)-1])
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff})
	f.Add([]byte{0, 0})
	f.Add(make([]byte, RecordOverhead))
	f.Fuzz(func(t *testing.T, rec []byte) {
		if n, err := RecordLen(rec); err == nil && (n < RecordOverhead || n > MaxRecordLen) {
			t.Fatalf("RecordLen = %d", n)
		}
		_, kb := testKeys()
		o := kb.Opener()
		p, err := o.Open(nil, rec)
		if err == nil {
			if !bytes.Equal(rec, genuine) || string(p) != "hello" {
				t.Fatalf("forged record opened: %x", rec)
			}
			return
		}
		if !errors.Is(err, ErrTampered) {
			t.Fatalf("error %v", err)
		}
		// In place too, with an Opener of its own (a second Opener of kb
		// would refuse everything with ErrKeyReused and test nothing).
		r := bytes.Clone(rec)
		if len(r) >= RecordHeaderLen {
			_, kb := testKeys()
			if _, err := kb.Opener().Open(r[RecordHeaderLen:RecordHeaderLen], r); err == nil {
				t.Fatal("forged record opened in place")
			} else if !errors.Is(err, ErrTampered) {
				t.Fatalf("in place: error %v", err)
			}
		}
	})
}

// TestKeysSealerOnce: the keys of one handshake give one Sealer and one
// Opener. A second Sealer would start its counter at 0 again and reuse
// every nonce under the same key (ChaCha20-Poly1305 then leaks the XOR of
// plaintexts and lets an attacker forge records), so it refuses to seal,
// also when asked through a copy of the Keys.
func TestKeysSealerOnce(t *testing.T) {
	t.Parallel()
	ca, cb := pairConfigs("guitarist-revenge")
	_, _, a, b := run(t, ca, cb, nil)
	ka, err := a.Keys()
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := b.Keys()
	s1, o1 := ka.Sealer(), kb.Opener()
	r1, err := s1.Seal(nil, []byte("attack at dawn"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := o1.Open(nil, r1); err != nil || string(p) != "attack at dawn" {
		t.Fatalf("Open: %q, %v", p, err)
	}
	again, _ := a.Keys() // a copy, as Keys returns
	for name, k := range map[string]*Keys{"same Keys": &ka, "copy": &again} {
		if r2, err := k.Sealer().Seal(nil, []byte("retreat at dusk")); !errors.Is(err, ErrKeyReused) {
			t.Errorf("%s: second Sealer sealed %x (nonce 0 again), err %v; want ErrKeyReused", name, r2, err)
		}
	}
	// A second Opener would accept a replay of the whole stream.
	if _, err := kb.Opener().Open(nil, r1); !errors.Is(err, ErrKeyReused) {
		t.Errorf("second Opener: %v, want ErrKeyReused", err)
	}
	// The first ones go on working.
	r3, err := s1.Seal(nil, []byte("more"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := o1.Open(nil, r3); err != nil || string(p) != "more" {
		t.Fatalf("Open after refused reuse: %q, %v", p, err)
	}
}

// TestKeysOfFailedHandshake: Keys returns the zero Keys with its error. A
// caller that drops the error must not get a Sealer with the all-zero key
// (anyone could open its records): Sealer and Opener of Keys that do not
// come from a finished handshake refuse every record.
func TestKeysOfFailedHandshake(t *testing.T) {
	t.Parallel()
	ca, cb := pairConfigs("guitarist-revenge")
	cb.Secret = []byte("guitarist-revenue")
	_, _, a, b := run(t, ca, cb, nil)
	for _, h := range []*Handshake{a, b} {
		k, err := h.Keys()
		if err == nil {
			t.Fatal("keys of a failed handshake")
		}
		rec, err := k.Sealer().Seal(nil, []byte("secret move"))
		if err == nil {
			var zero [KeySize]byte
			p, _ := NewOpener(&zero).Open(nil, rec)
			t.Errorf("%v: sealed under the zero key after %v; anyone opens it: %q", h.cfg.Role, err, p)
		} else if !errors.Is(err, ErrState) {
			t.Errorf("%v: Seal: %v, want ErrState", h.cfg.Role, err)
		}
		if _, err := k.Opener().Open(nil, make([]byte, RecordOverhead)); !errors.Is(err, ErrState) {
			t.Errorf("%v: Open: %v, want ErrState", h.cfg.Role, err)
		}
	}
	var zero Keys
	if _, err := zero.Sealer().Seal(nil, nil); !errors.Is(err, ErrState) {
		t.Errorf("zero Keys: Seal: %v, want ErrState", err)
	}
}
