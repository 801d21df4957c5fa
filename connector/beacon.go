package connector

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Native records. A record is the unit of both the UDP beacon and the TCP
// identify exchange. Layout (multi-byte integers big-endian):
//
//	offset  size  field
//	0       4     magic "CCAR"
//	4       1     protocol version (1)
//	5       1     kind: 1 beacon, 2 goodbye, 3 quiet, 4 hello, 5 accept
//	6       8     peer id (random, non-zero)
//	14      2     TCP port the peer accepts on (0: none)
//	16      1     A = length of the application id (1..64)
//	17      A     application id (bytes)
//	17+A    1     N = length of the display name (0..64)
//	18+A    N     display name (UTF-8)
//	18+A+N  1     M = length of the metadata (0..255)
//	19+A+N  M     metadata (opaque bytes)
//	19+A+N+M      extensions (beacons and hellos only, optional; see below)
//
// Extensions are type-length-value fields after the record: 1 byte type,
// 1 byte length, the value. The one defined is extNameplate (type 1, 2
// bytes, 1..65535): in a beacon, the join-code nameplate the peer offers
// (BroadcastConfig.Nameplate); in an identify hello, the nameplate the
// dialer comes to join (BroadcastConfig.Join). Unknown types are skipped.
// They are written only when there is something to say, so a beacon or
// hello without a nameplate is byte for byte what protocol version 1
// always was: a peer of an older release, which refuses trailing bytes,
// parses every record it can use (a peer with a nameplate runs a secure
// room, which an older peer cannot join anyway). The nameplate is the
// only part of a join code that is ever sent: never a word or a hash of
// them.
//
// A beacon datagram is exactly one record of kind beacon, goodbye ("I am
// stopping, drop me now") or quiet ("I stop beaconing but keep my
// connections: do not expire me"); anything longer than MaxBeaconSize,
// shorter than its fields, with trailing bytes, another magic or version,
// a zero id or invalid UTF-8 in the name is dropped and counted.
//
// A reject frame of the identify exchange is shorter: magic, version,
// kind 6, one reason byte.
const (
	beaconMagic     = "CCAR"
	protocolVersion = 1

	kindBeacon  = 1
	kindGoodbye = 2
	kindQuiet   = 3
	kindHello   = 4
	kindAccept  = 5
	kindReject  = 6

	recordFixedLen = 16 // magic .. TCP port

	// MaxAppIDLen is the longest application id, in bytes.
	MaxAppIDLen = 64
	// MaxNameLen is the longest display name, in bytes.
	MaxNameLen = 64
	// MaxMetadataLen is the longest beacon metadata, in bytes.
	MaxMetadataLen = 255
	// MaxBeaconSize is the largest valid native beacon datagram, in bytes.
	MaxBeaconSize = recordFixedLen + 1 + MaxAppIDLen + 1 + MaxNameLen + 1 + MaxMetadataLen + maxExtLen

	// extNameplate is the extension type of a nameplate (2 bytes).
	extNameplate = 1
	// maxExtLen bounds the extension bytes of one record.
	maxExtLen = 16
	// MaxNameplate is the largest nameplate (joincode.MaxNameplate).
	MaxNameplate = 65535
)

// Preallocated errors: rejecting garbage must not allocate.
var (
	errShort      = fmt.Errorf("%w: truncated", ErrBadBeacon)
	errMagic      = fmt.Errorf("%w: wrong magic", ErrBadBeacon)
	errKind       = fmt.Errorf("%w: unknown kind", ErrBadBeacon)
	errZeroID     = fmt.Errorf("%w: zero peer id", ErrBadBeacon)
	errAppID      = fmt.Errorf("%w: bad application id length", ErrBadBeacon)
	errName       = fmt.Errorf("%w: bad display name", ErrBadBeacon)
	errTrailing   = fmt.Errorf("%w: trailing bytes", ErrBadBeacon)
	errOversize   = fmt.Errorf("%w: too large", ErrBadBeacon)
	errVersion    = fmt.Errorf("%w: version is not %d", ErrUnsupportedVersion, protocolVersion)
	errNotBeacon  = fmt.Errorf("%w: not a beacon kind", ErrBadBeacon)
	errFrameLen   = fmt.Errorf("%w: bad identify frame length", ErrBadBeacon)
	errNotHello   = fmt.Errorf("%w: expected a hello", ErrBadBeacon)
	errNotReply   = fmt.Errorf("%w: expected accept or reject", ErrBadBeacon)
	errHelloShape = fmt.Errorf("%w: hello without target id", ErrBadBeacon)
	errExt        = fmt.Errorf("%w: bad extension", ErrBadBeacon)
)

// record is a decoded native record. The byte slices of a parsed record
// point into the parsed buffer.
type record struct {
	kind byte
	id   PeerID
	port uint16
	app  []byte
	name []byte
	meta []byte
	np   uint16 // extension: nameplate offered (beacon) or joined (hello); 0 none
}

// appendExt appends r's extensions (none when it has nothing to say).
func appendExt(dst []byte, r *record) []byte {
	if r.np != 0 {
		dst = append(dst, extNameplate, 2)
		dst = binary.BigEndian.AppendUint16(dst, r.np)
	}
	return dst
}

// parseExt decodes the extensions in p into r. It never allocates.
func parseExt(p []byte, r *record) error {
	if len(p) > maxExtLen {
		return errExt
	}
	for len(p) > 0 {
		v, rest, ok := lengthPrefixed(p[1:])
		if !ok {
			return errExt
		}
		if p[0] == extNameplate {
			if len(v) != 2 || binary.BigEndian.Uint16(v) == 0 {
				return errExt
			}
			r.np = binary.BigEndian.Uint16(v)
		}
		p = rest
	}
	return nil
}

// appendRecord appends r's encoding to dst. The fields must be in range
// (the config is validated before any record is built).
func appendRecord(dst []byte, r *record) []byte {
	dst = append(dst, beaconMagic...)
	dst = append(dst, protocolVersion, r.kind)
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.id))
	dst = binary.BigEndian.AppendUint16(dst, r.port)
	dst = append(dst, byte(len(r.app)))
	dst = append(dst, r.app...)
	dst = append(dst, byte(len(r.name)))
	dst = append(dst, r.name...)
	dst = append(dst, byte(len(r.meta)))
	dst = append(dst, r.meta...)
	return dst
}

// checkHeader checks magic and version of any native frame.
func checkHeader(b []byte) error {
	if len(b) < 6 {
		return errShort
	}
	if string(b[:4]) != beaconMagic {
		return errMagic
	}
	if b[4] != protocolVersion {
		return errVersion
	}
	return nil
}

// parseRecord decodes the record at the start of b and returns the bytes
// after it. It never allocates; the record's slices point into b.
func parseRecord(b []byte) (r record, rest []byte, err error) {
	if err := checkHeader(b); err != nil {
		return r, nil, err
	}
	r.kind = b[5]
	if r.kind < kindBeacon || r.kind > kindAccept {
		return r, nil, errKind
	}
	if len(b) < recordFixedLen+1 {
		return r, nil, errShort
	}
	r.id = PeerID(binary.BigEndian.Uint64(b[6:14]))
	if r.id == 0 {
		return r, nil, errZeroID
	}
	r.port = binary.BigEndian.Uint16(b[14:16])
	p := b[recordFixedLen:]
	var ok bool
	if r.app, p, ok = lengthPrefixed(p); !ok {
		return r, nil, errShort
	}
	if len(r.app) == 0 || len(r.app) > MaxAppIDLen {
		return r, nil, errAppID
	}
	if r.name, p, ok = lengthPrefixed(p); !ok {
		return r, nil, errShort
	}
	if len(r.name) > MaxNameLen || !utf8.Valid(r.name) {
		return r, nil, errName
	}
	if r.meta, p, ok = lengthPrefixed(p); !ok {
		return r, nil, errShort
	}
	if len(r.meta) == 0 {
		r.meta = nil
	}
	return r, p, nil
}

// lengthPrefixed splits a 1-byte-length-prefixed field off p.
func lengthPrefixed(p []byte) (field, rest []byte, ok bool) {
	if len(p) < 1 || len(p) < 1+int(p[0]) {
		return nil, nil, false
	}
	n := int(p[0])
	return p[1 : 1+n : 1+n], p[1+n:], true
}

// parseBeacon decodes one beacon datagram.
func parseBeacon(b []byte) (record, error) {
	if len(b) > MaxBeaconSize {
		return record{}, errOversize
	}
	r, rest, err := parseRecord(b)
	if err != nil {
		return r, err
	}
	if err := parseExt(rest, &r); err != nil {
		return r, err
	}
	if r.kind != kindBeacon && r.kind != kindGoodbye && r.kind != kindQuiet {
		return r, errNotBeacon
	}
	return r, nil
}
