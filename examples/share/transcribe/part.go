package transcribe

import (
	"encoding/binary"
	"fmt"

	"github.com/cablecar-go/cablecar/message"
)

// The protocol: each side sends its blob as one Size part and then Data
// parts in order, and acknowledges the peer's whole blob with a Got part.
// A side is done when it holds the peer's whole blob and the peer's Got
// for its own. A peer that announces a blob over this side's limit gets
// an Abort part. Each part is the payload of one byte-codec frame of code
// PartCode.
//
//	kind  name   payload after the kind byte
//	1     size   u32: size of the sender's blob, 0..MaxBlobLimit
//	2     data   u32: offset of the bytes in the blob, then 1..MaxChunk bytes
//	3     got    u32: size of the blob received whole
//	4     abort  u8: why (1: the blob is over my limit), u32: my limit
//
// Integers are big-endian.
const (
	KindSize  byte = 1
	KindData  byte = 2
	KindGot   byte = 3
	KindAbort byte = 4

	// AbortTooLarge is the reason of an Abort part for a blob over the
	// receiver's limit.
	AbortTooLarge byte = 1

	// PartCode is the byte code of the part message in the room's byte
	// codec.
	PartCode byte = 0x60

	// MaxChunk is the most blob bytes in one data part: a byte-codec
	// payload is at most 253 bytes, less the kind and the offset.
	MaxChunk = 253 - 5
)

// Part is one protocol message.
type Part struct {
	Kind   byte
	N      uint32 // size (size, got), offset (data) or the limit (abort)
	Reason byte   // abort only
	Data   []byte // data only: 1..MaxChunk bytes
}

// AppendPart appends p's encoding to dst. It does not check p; the
// sender builds only valid parts.
func AppendPart(dst []byte, p Part) []byte {
	dst = append(dst, p.Kind)
	if p.Kind == KindAbort {
		dst = append(dst, p.Reason)
	}
	dst = binary.BigEndian.AppendUint32(dst, p.N)
	if p.Kind == KindData {
		dst = append(dst, p.Data...)
	}
	return dst
}

// ParsePart parses one part. Data aliases b: copy it to keep it. A part
// that does not parse gives an error wrapping ErrBadPart that says why.
func ParsePart(b []byte) (Part, error) {
	if len(b) == 0 {
		return Part{}, fmt.Errorf("%w: empty", ErrBadPart)
	}
	p := Part{Kind: b[0]}
	b = b[1:]
	switch p.Kind {
	case KindSize, KindGot:
		if len(b) != 4 {
			return Part{}, fmt.Errorf("%w: kind %d with %d bytes, want 4", ErrBadPart, p.Kind, len(b))
		}
		p.N = binary.BigEndian.Uint32(b)
		if p.N > MaxBlobLimit {
			return Part{}, fmt.Errorf("%w: size %d over %d", ErrBadPart, p.N, MaxBlobLimit)
		}
	case KindData:
		if len(b) < 5 || len(b) > 4+MaxChunk {
			return Part{}, fmt.Errorf("%w: data part with %d bytes, want 5..%d", ErrBadPart, len(b), 4+MaxChunk)
		}
		p.N = binary.BigEndian.Uint32(b)
		p.Data = b[4:]
	case KindAbort:
		if len(b) != 5 {
			return Part{}, fmt.Errorf("%w: abort with %d bytes, want 5", ErrBadPart, len(b))
		}
		p.Reason = b[0]
		p.N = binary.BigEndian.Uint32(b[1:])
	default:
		return Part{}, fmt.Errorf("%w: unknown kind %d", ErrBadPart, p.Kind)
	}
	return p, nil
}

// msgPart carries a Part in the byte codec.
type msgPart struct{ Part }

func (*msgPart) MessageName() string { return "cablecar.share.part" }
func (*msgPart) ByteCode() byte      { return PartCode }

func (m *msgPart) AppendPayload(dst []byte) ([]byte, error) { return AppendPart(dst, m.Part), nil }

func (m *msgPart) DecodePayload(b []byte) error {
	p, err := ParsePart(b)
	if err != nil {
		return err
	}
	p.Data = append([]byte(nil), p.Data...) // b is the codec's buffer
	m.Part = p
	return nil
}

// newCodec returns the byte codec with the part message registered.
func newCodec() *message.ByteCodec {
	c := message.NewByteCodec(nil)
	c.Register(func() message.ByteMessage { return new(msgPart) })
	return c
}

// assembler builds the peer's blob from its parts.
type assembler struct {
	limit int
	size  int // -1 until the size part
	blob  []byte
}

func newAssembler(limit int) *assembler { return &assembler{limit: limit, size: -1} }

// add takes the next part of the peer's blob (size or data) and reports
// whether the blob is whole. Errors wrap ErrProtocol or ErrBlobTooLarge
// (a *SizeError with Peer set).
func (a *assembler) add(p Part) (done bool, err error) {
	switch p.Kind {
	case KindSize:
		if a.size >= 0 {
			return false, fmt.Errorf("%w: a second size part", ErrProtocol)
		}
		if int64(p.N) > int64(a.limit) {
			return false, &SizeError{Size: int(p.N), Limit: a.limit, Peer: true}
		}
		a.size = int(p.N)
		a.blob = make([]byte, 0, a.size)
	case KindData:
		if a.size < 0 {
			return false, fmt.Errorf("%w: data before the size", ErrProtocol)
		}
		if int64(p.N) != int64(len(a.blob)) {
			return false, fmt.Errorf("%w: data at offset %d, want %d", ErrProtocol, p.N, len(a.blob))
		}
		if len(a.blob)+len(p.Data) > a.size {
			return false, fmt.Errorf("%w: more data than the %d bytes announced", ErrProtocol, a.size)
		}
		a.blob = append(a.blob, p.Data...)
	default:
		return false, fmt.Errorf("%w: kind %d is not part of a blob", ErrProtocol, p.Kind)
	}
	return a.done(), nil
}

func (a *assembler) done() bool { return a.size >= 0 && len(a.blob) == a.size }

// parts returns the parts that carry blob: a size part and the data parts.
func parts(blob []byte) []Part {
	ps := make([]Part, 0, 1+(len(blob)+MaxChunk-1)/MaxChunk)
	ps = append(ps, Part{Kind: KindSize, N: uint32(len(blob))})
	for off := 0; off < len(blob); off += MaxChunk {
		end := min(off+MaxChunk, len(blob))
		ps = append(ps, Part{Kind: KindData, N: uint32(off), Data: blob[off:end]})
	}
	return ps
}
