package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Wire format of the relay's NATS messages (all integers big-endian).
//
// Presence, on cablecar.<app>.presence:
//
//	'P' flags(1: bit 0 = goodbye) id(8) epoch(8) namelen(1) name
//
// Stream frames, on the receiver's cablecar.<app>.peer.<id>:
//
//	kind(1) from(8) stream(8) seq(8) bytes...
//
// with kind 'O' (open: the first frame of a stream, seq 0, the opener's
// name as bytes: up to 255), 'D'
// (data, seq 1, 2, ...), 'F' (end of the stream, the seq after the last
// data frame), and 'A' (ack) whose seq field is the next frame expected
// and is followed by read(8), the stream bytes the reader has consumed,
// and flags(1: bit 0 = a gap was seen, resend now). Each frame but the ack
// is resent until acknowledged; the receiver keeps only the next frame in
// order (go-back-N), so a stream delivers its bytes once each and in
// order across lost NATS messages and server reconnects.
const (
	kindPresence = 'P'
	kindOpen     = 'O'
	kindData     = 'D'
	kindFin      = 'F'
	kindAck      = 'A'

	frameHeader = 1 + 8 + 8 + 8
	ackLen      = frameHeader + 8 + 1
	maxName     = 255
)

// errFrame: a NATS message on a relay subject that is not a relay frame.
var errFrame = errors.New("relay: malformed frame")

type presenceMsg struct {
	bye   bool
	id    uint64
	epoch uint64
	name  string
}

func appendPresence(b []byte, p presenceMsg) []byte {
	flags := byte(0)
	if p.bye {
		flags = 1
	}
	b = append(b, kindPresence, flags)
	b = binary.BigEndian.AppendUint64(b, p.id)
	b = binary.BigEndian.AppendUint64(b, p.epoch)
	name := p.name
	if len(name) > maxName {
		name = name[:maxName]
	}
	b = append(b, byte(len(name)))
	return append(b, name...)
}

func parsePresence(b []byte) (presenceMsg, error) {
	if len(b) < 19 || b[0] != kindPresence {
		return presenceMsg{}, fmt.Errorf("%w: presence of %d bytes", errFrame, len(b))
	}
	n := int(b[18])
	if len(b) != 19+n {
		return presenceMsg{}, fmt.Errorf("%w: presence name of %d bytes in %d", errFrame, n, len(b))
	}
	return presenceMsg{
		bye:   b[1]&1 != 0,
		id:    binary.BigEndian.Uint64(b[2:]),
		epoch: binary.BigEndian.Uint64(b[10:]),
		name:  string(b[19:]),
	}, nil
}

// frame is a parsed stream frame; data aliases the message.
type frame struct {
	kind   byte
	from   uint64
	stream uint64
	seq    uint64
	read   uint64 // ack only
	nack   bool   // ack only
	data   []byte // data only
}

func appendFrameHeader(b []byte, kind byte, from, stream, seq uint64) []byte {
	b = append(b, kind)
	b = binary.BigEndian.AppendUint64(b, from)
	b = binary.BigEndian.AppendUint64(b, stream)
	return binary.BigEndian.AppendUint64(b, seq)
}

func appendAck(b []byte, from, stream, next, read uint64, nack bool) []byte {
	b = appendFrameHeader(b, kindAck, from, stream, next)
	b = binary.BigEndian.AppendUint64(b, read)
	if nack {
		return append(b, 1)
	}
	return append(b, 0)
}

func parseFrame(b []byte) (frame, error) {
	if len(b) < frameHeader {
		return frame{}, fmt.Errorf("%w: %d bytes", errFrame, len(b))
	}
	f := frame{
		kind:   b[0],
		from:   binary.BigEndian.Uint64(b[1:]),
		stream: binary.BigEndian.Uint64(b[9:]),
		seq:    binary.BigEndian.Uint64(b[17:]),
	}
	switch f.kind {
	case kindData:
		f.data = b[frameHeader:]
	case kindOpen:
		if len(b) > frameHeader+maxName || f.seq != 0 {
			return frame{}, fmt.Errorf("%w: open frame of %d bytes, seq %d", errFrame, len(b), f.seq)
		}
		f.data = b[frameHeader:]
	case kindFin:
		if len(b) != frameHeader || f.seq == 0 {
			return frame{}, fmt.Errorf("%w: %q frame of %d bytes, seq %d", errFrame, f.kind, len(b), f.seq)
		}
	case kindAck:
		if len(b) != ackLen {
			return frame{}, fmt.Errorf("%w: ack of %d bytes", errFrame, len(b))
		}
		f.read = binary.BigEndian.Uint64(b[frameHeader:])
		f.nack = b[frameHeader+8]&1 != 0
	default:
		return frame{}, fmt.Errorf("%w: kind %#x", errFrame, f.kind)
	}
	if f.kind == kindData && f.seq == 0 {
		return frame{}, fmt.Errorf("%w: data frame with seq 0", errFrame)
	}
	return f, nil
}
