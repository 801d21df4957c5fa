package secure

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealed records. A record is
//
//	length uint16be | ChaCha20-Poly1305(payload) | tag[16]
//
// where length is the payload's length (0..MaxRecordPayload). The header
// is the AEAD's additional data and the nonce is the record's number in
// its direction (an implicit 64-bit counter, never sent), so a record that
// is altered, replayed, reordered or follows a dropped one fails to open,
// as does one with a changed or impossible length.
const (
	// RecordHeaderLen is the size of a record header.
	RecordHeaderLen = 2
	// RecordOverhead is what sealing adds to a payload: the header and
	// the tag.
	RecordOverhead = RecordHeaderLen + chacha20poly1305.Overhead
	// MaxRecordPayload is the largest payload of one record, 16 KiB.
	MaxRecordPayload = 16 << 10
	// MaxRecordLen is the largest record on the wire.
	MaxRecordLen = MaxRecordPayload + RecordOverhead
)

// RecordLen returns the total length of the record whose header is at the
// start of header (at least RecordHeaderLen bytes), so that a caller
// reading a stream knows how many bytes to gather before Open. A header
// announcing more than MaxRecordPayload fails with ErrTampered.
func RecordLen(header []byte) (int, error) {
	if len(header) < RecordHeaderLen {
		return 0, fmt.Errorf("%w: header of %d bytes", ErrTampered, len(header))
	}
	n := int(binary.BigEndian.Uint16(header))
	if n > MaxRecordPayload {
		return 0, fmt.Errorf("%w: header announces %d bytes, at most %d", ErrTampered, n, MaxRecordPayload)
	}
	return n + RecordOverhead, nil
}

// errNoKeys is what the Sealer and Opener of Keys that are not the
// output of a finished handshake (the zero Keys that Handshake.Keys
// returns with its error) give: their all-zero key would let anyone read
// and forge the records.
var errNoKeys = fmt.Errorf("%w: Keys not from a finished handshake", ErrState)

// Sealer returns the Sealer for this side's records. The Keys of a
// handshake (and every copy of them) give one Sealer: a second one would
// count its nonces from 0 again under the same key, so it refuses every
// record with ErrKeyReused. The Sealer of Keys that are not from a
// finished handshake (the zero Keys) refuses every record with ErrState.
func (k *Keys) Sealer() *Sealer {
	s := NewSealer(&k.Send)
	switch {
	case k.use == nil:
		s.err = errNoKeys
	case k.use.sealer.Swap(true):
		s.err = ErrKeyReused
	}
	return s
}

// Opener returns the Opener for the peer's records. As with Sealer, a
// second one (which would take a replay of the whole stream) refuses
// every record with ErrKeyReused, and one of Keys not from a finished
// handshake with ErrState.
func (k *Keys) Opener() *Opener {
	o := NewOpener(&k.Recv)
	switch {
	case k.use == nil:
		o.err = errNoKeys
	case k.use.opener.Swap(true):
		o.err = ErrKeyReused
	}
	return o
}

// Sealer seals the records of one direction. It is not safe for
// concurrent use. Seal does not allocate when dst has room.
type Sealer struct {
	aead  cipher.AEAD
	seq   uint64
	nonce [chacha20poly1305.NonceSize]byte
	err   error // ErrKeyReused, errNoKeys
}

// NewSealer returns a Sealer with key. The nonce is a counter from 0, so
// a key must never be given to two Sealers: prefer Keys.Sealer, which
// guards against that.
func NewSealer(key *[KeySize]byte) *Sealer {
	a, err := chacha20poly1305.New(key[:])
	if err != nil {
		panic("secure: " + err.Error()) // unreachable: the key has the right size
	}
	return &Sealer{aead: a}
}

// Seal appends to dst the record that carries payload (at most
// MaxRecordPayload bytes) and returns the extended slice.
//
// To seal in place, with no copy and no allocation, put the payload at
// dst[len(dst)+RecordHeaderLen:] in a buffer with RecordOverhead bytes of
// room beyond len(dst)+len(payload), and pass that slice as payload; the
// record then occupies dst[len(dst):len(dst)+len(payload)+RecordOverhead].
// Any other overlap of payload with the output fails with
// ErrBufferOverlap.
func (s *Sealer) Seal(dst, payload []byte) ([]byte, error) {
	if len(payload) > MaxRecordPayload {
		return dst, fmt.Errorf("%w: %d bytes, at most %d", ErrRecordTooLarge, len(payload), MaxRecordPayload)
	}
	if s.err != nil {
		return dst, s.err
	}
	if s.seq == math.MaxUint64 {
		return dst, ErrExhausted
	}
	ret, out := sliceForAppend(dst, len(payload)+RecordOverhead)
	if anyOverlap(out[:RecordHeaderLen], payload) || inexactOverlap(out[RecordHeaderLen:], payload) {
		return dst, ErrBufferOverlap
	}
	binary.BigEndian.PutUint16(out, uint16(len(payload)))
	binary.BigEndian.PutUint64(s.nonce[4:], s.seq)
	s.aead.Seal(out[RecordHeaderLen:RecordHeaderLen], s.nonce[:], payload, out[:RecordHeaderLen])
	s.seq++
	return ret, nil
}

// Opener opens the records of one direction, in order. It is not safe for
// concurrent use. Open does not allocate when dst has room.
//
// Any failure is final: once a record failed to open, every later call
// fails with ErrTampered too, since the stream can no longer be trusted.
type Opener struct {
	aead  cipher.AEAD
	seq   uint64
	nonce [chacha20poly1305.NonceSize]byte
	err   error
}

// NewOpener returns an Opener with key; prefer Keys.Opener.
func NewOpener(key *[KeySize]byte) *Opener {
	a, err := chacha20poly1305.New(key[:])
	if err != nil {
		panic("secure: " + err.Error()) // unreachable: the key has the right size
	}
	return &Opener{aead: a}
}

// Open checks record, exactly one whole record (see RecordLen), and
// appends its payload to dst. It fails with ErrTampered when the record
// is not the next one the peer sealed, unchanged; nothing is appended
// then.
//
// To open in place, pass record[RecordHeaderLen:RecordHeaderLen] as dst:
// the payload is then record[RecordHeaderLen:][:len(payload)]. Any other
// overlap of dst's free room with the record fails with ErrBufferOverlap
// (not fatal).
func (o *Opener) Open(dst, record []byte) ([]byte, error) {
	if o.err != nil {
		return dst, o.err
	}
	n, err := RecordLen(record)
	if err != nil {
		return dst, o.fail(err)
	}
	if len(record) != n {
		return dst, o.fail(fmt.Errorf("%w: record %d: %d bytes, header says %d", ErrTampered, o.seq, len(record), n))
	}
	ct := record[RecordHeaderLen:]
	ret, out := sliceForAppend(dst, len(ct)-chacha20poly1305.Overhead)
	if inexactOverlap(out, ct) || anyOverlap(out, record[:RecordHeaderLen]) {
		return dst, ErrBufferOverlap
	}
	binary.BigEndian.PutUint64(o.nonce[4:], o.seq)
	if _, err := o.aead.Open(out[:0], o.nonce[:], ct, record[:RecordHeaderLen]); err != nil {
		return dst, o.fail(fmt.Errorf("%w: record %d does not authenticate", ErrTampered, o.seq))
	}
	o.seq++
	return ret, nil
}

func (o *Opener) fail(err error) error {
	o.err = err
	return err
}

// sliceForAppend extends in by n bytes, reusing its storage when there is
// room; out is the new part. (As in the standard library's AEADs.)
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	tail = head[len(in):]
	return
}

// anyOverlap reports whether x and y share memory at any index;
// inexactOverlap whether they share it other than starting at the same
// address. (The standard library's crypto/internal/alias.)
func anyOverlap(x, y []byte) bool {
	return len(x) > 0 && len(y) > 0 &&
		uintptr(unsafe.Pointer(&x[0])) <= uintptr(unsafe.Pointer(&y[len(y)-1])) &&
		uintptr(unsafe.Pointer(&y[0])) <= uintptr(unsafe.Pointer(&x[len(x)-1]))
}

func inexactOverlap(x, y []byte) bool {
	if len(x) == 0 || len(y) == 0 || &x[0] == &y[0] {
		return false
	}
	return anyOverlap(x, y)
}
