package message

import (
	"encoding/binary"
	"math/bits"
)

// jsonNames finds a JSONCodec's entries by type name, given the name's bytes
// from a line; it is the decoder's faster stand-in for a map[string] lookup
// (whose string hashing was a seventh of a small message's decode time). It
// is an open-addressing hash table with linear probing, at most half full:
// lookups compare the whole name, so it is exact for any number of names,
// and names that hash alike only make it slower. Like the codec's maps it
// is written by Register only.
type jsonNames struct {
	slots []*jsonEntry // len is a power of two, or 0
	shift uint         // 64 - log2(len(slots))
	n     int
}

// nameHash mixes the length and the first and last (up to) 8 bytes of
// name; its top bits are the slot.
func nameHash(name []byte) uint64 {
	n := len(name)
	var x, y uint64
	switch {
	case n >= 8:
		x = binary.LittleEndian.Uint64(name)
		y = binary.LittleEndian.Uint64(name[n-8:])
	case n >= 4:
		x = uint64(binary.LittleEndian.Uint32(name))
		y = uint64(binary.LittleEndian.Uint32(name[n-4:]))
	case n > 0:
		x = uint64(name[0]) | uint64(name[n/2])<<8 | uint64(name[n-1])<<16
	}
	return (x ^ bits.RotateLeft64(y, 29) ^ uint64(n)) * 0x9e3779b97f4a7c15
}

// get returns the entry named name, or nil.
func (t *jsonNames) get(name []byte) *jsonEntry {
	if t.n == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := nameHash(name) >> t.shift; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == nil || e.name == string(name) {
			return e
		}
	}
}

// add adds e, whose name is not in t yet.
func (t *jsonNames) add(e *jsonEntry) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		size := max(16, 2*len(old))
		t.slots = make([]*jsonEntry, size)
		t.shift = 64
		for s := size; s > 1; s >>= 1 {
			t.shift--
		}
		t.n = 0
		for _, o := range old {
			if o != nil {
				t.add(o)
			}
		}
	}
	mask := uint64(len(t.slots) - 1)
	i := nameHash([]byte(e.name)) >> t.shift
	for t.slots[i] != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = e
	t.n++
}
