package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxMsgpackDepth bounds the nesting of arrays and maps in a msgpack body.
const maxMsgpackDepth = 1000

var errMsgpackTruncated = errors.New("msgpack value runs past the end of the frame")

// checkMsgpack checks that b holds exactly one well-formed msgpack value,
// nested at most maxMsgpackDepth deep, in which every string, binary and
// extension fits in b and every array or map announces no more elements than
// b has bytes left (each element takes at least one byte). The msgpack
// library preallocates what a header announces, so this check is what bounds
// the memory a hostile frame can make it allocate by the frame's size.
func checkMsgpack(b []byte) error {
	i, err := skipMsgpack(b, 0, 0)
	if err != nil {
		return err
	}
	if i != len(b) {
		return fmt.Errorf("%d bytes after the msgpack value", len(b)-i)
	}
	return nil
}

// skipMsgpack returns the offset after the msgpack value at b[i].
func skipMsgpack(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, errMsgpackTruncated
	}
	c := b[i]
	i++
	var n, elems uint64 // n: payload bytes to skip; elems: values that follow
	switch {
	case c <= 0x7f || c >= 0xe0: // fixint
	case c <= 0x8f: // fixmap
		elems = 2 * uint64(c&0x0f)
	case c <= 0x9f: // fixarray
		elems = uint64(c & 0x0f)
	case c <= 0xbf: // fixstr
		n = uint64(c & 0x1f)
	default:
		switch c {
		case 0xc0, 0xc2, 0xc3: // nil, false, true
		case 0xc1:
			return i - 1, errors.New("msgpack: reserved byte 0xc1")
		case 0xc4, 0xd9: // bin8, str8
			v, err := readUint(b, i, 1)
			i, n = i+1, v
			if err != nil {
				return i, err
			}
		case 0xc5, 0xda: // bin16, str16
			v, err := readUint(b, i, 2)
			i, n = i+2, v
			if err != nil {
				return i, err
			}
		case 0xc6, 0xdb: // bin32, str32
			v, err := readUint(b, i, 4)
			i, n = i+4, v
			if err != nil {
				return i, err
			}
		case 0xc7, 0xc8, 0xc9: // ext8, ext16, ext32: length, type, data
			size := 1 << (c - 0xc7)
			v, err := readUint(b, i, size)
			if err != nil {
				return i, err
			}
			i, n = i+size, v+1
		case 0xca, 0xcb: // float32, float64
			n = 4 << (c - 0xca)
		case 0xcc, 0xcd, 0xce, 0xcf: // uint8..64
			n = 1 << (c - 0xcc)
		case 0xd0, 0xd1, 0xd2, 0xd3: // int8..64
			n = 1 << (c - 0xd0)
		case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext1..16: type, data
			n = 1 + 1<<(c-0xd4)
		case 0xdc, 0xde: // array16, map16
			v, err := readUint(b, i, 2)
			if err != nil {
				return i, err
			}
			i, elems = i+2, v
			if c == 0xde {
				elems *= 2
			}
		case 0xdd, 0xdf: // array32, map32
			v, err := readUint(b, i, 4)
			if err != nil {
				return i, err
			}
			i, elems = i+4, v
			if c == 0xdf {
				elems *= 2
			}
		}
	}
	if n > uint64(len(b)-i) {
		return i, errMsgpackTruncated
	}
	i += int(n)
	if elems == 0 {
		return i, nil
	}
	if elems > uint64(len(b)-i) {
		return i, fmt.Errorf("msgpack container announces %d values, %d bytes are left", elems, len(b)-i)
	}
	if depth >= maxMsgpackDepth {
		return i, errors.New("msgpack nesting deeper than 1000")
	}
	for ; elems > 0; elems-- {
		var err error
		if i, err = skipMsgpack(b, i, depth+1); err != nil {
			return i, err
		}
	}
	return i, nil
}

func readUint(b []byte, i, size int) (uint64, error) {
	if len(b)-i < size {
		return 0, errMsgpackTruncated
	}
	switch size {
	case 1:
		return uint64(b[i]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b[i:])), nil
	default:
		return uint64(binary.BigEndian.Uint32(b[i:])), nil
	}
}
