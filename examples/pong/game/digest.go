package game

import (
	"hash"
	"hash/fnv"
)

// Digest is a running FNV-1a (64-bit) hash of a sequence of BallMsg
// payloads: the host digests what it sends, the guest what it receives. Its
// zero value is not usable; create one with NewDigest.
type Digest struct {
	h   hash.Hash64
	buf []byte
	n   uint32
}

// NewDigest returns an empty digest.
func NewDigest() *Digest {
	return &Digest{h: fnv.New64a(), buf: make([]byte, 0, ballSize)}
}

// Add adds m's payload (as AppendPayload writes it) to the digest.
func (d *Digest) Add(m *BallMsg) {
	d.buf = m.appendFields(d.buf[:0])
	d.h.Write(d.buf)
	d.n++
}

// Sum returns the digest of the messages added so far.
func (d *Digest) Sum() uint64 { return d.h.Sum64() }

// Len returns how many messages were added.
func (d *Digest) Len() uint32 { return d.n }
