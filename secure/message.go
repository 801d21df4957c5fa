package secure

import (
	"encoding/binary"
	"fmt"
)

// Handshake messages. Each is a 2-byte header, the type and the length of
// the body, then a body whose length is fixed by the type (the hello's
// grows with its version list):
//
//	1 hello    (initiator)  nonceA[16] count[1] versions[count]uint16be  count 1..MaxVersions
//	2 reply    (responder)  version uint16be  nonceB[16]  Yb[32]
//	3 confirmA (initiator)  Ya[32]  Ta[64]
//	4 confirmB (responder)  Tb[64]
//
// ADa is the initiator's version list as sent in its hello, ADb the
// version the responder chose; both are bound into ISK, so a changed list
// (a downgrade) fails key confirmation.
const (
	// MessageHeaderLen is the size of a handshake message header.
	MessageHeaderLen = 2
	// MaxMessageLen is the largest handshake message.
	MaxMessageLen = MessageHeaderLen + 32 + tagSize
	// MaxVersions is the most versions a hello may list.
	MaxVersions = 16

	nonceSize = 16
)

const (
	msgHello    byte = 1
	msgReply    byte = 2
	msgConfirmA byte = 3
	msgConfirmB byte = 4
)

// bodyLen returns the body length of a message type, or 0 for an unknown
// one; for the hello, the length with count versions.
func bodyLen(typ byte, count int) int {
	switch typ {
	case msgHello:
		return nonceSize + 1 + 2*count
	case msgReply:
		return 2 + nonceSize + 32
	case msgConfirmA:
		return 32 + tagSize
	case msgConfirmB:
		return tagSize
	}
	return 0
}

// MessageLen returns the total length (header included) of the handshake
// message that starts with header, which must hold at least
// MessageHeaderLen bytes. A caller reading from a stream gathers
// MessageHeaderLen bytes, asks MessageLen, then gathers the rest and
// hands the whole message to Handshake.Read. It fails with ErrBadMessage
// for an unknown type or an impossible length, so that a stream that is
// not a handshake is refused after two bytes.
func MessageLen(header []byte) (int, error) {
	if len(header) < MessageHeaderLen {
		return 0, fmt.Errorf("%w: header of %d bytes, want %d", ErrBadMessage, len(header), MessageHeaderLen)
	}
	typ, n := header[0], int(header[1])
	switch typ {
	case msgHello:
		if n < bodyLen(msgHello, 1) || n > bodyLen(msgHello, MaxVersions) || (n-nonceSize-1)%2 != 0 {
			return 0, fmt.Errorf("%w: hello of %d bytes", ErrBadMessage, n)
		}
	case msgReply, msgConfirmA, msgConfirmB:
		if n != bodyLen(typ, 0) {
			return 0, fmt.Errorf("%w: message type %d of %d bytes, want %d", ErrBadMessage, typ, n, bodyLen(typ, 0))
		}
	default:
		return 0, fmt.Errorf("%w: unknown message type %d", ErrBadMessage, typ)
	}
	return MessageHeaderLen + n, nil
}

// parseMessage checks that msg is exactly one message of type want and
// returns its body.
func parseMessage(msg []byte, want byte) ([]byte, error) {
	n, err := MessageLen(msg)
	if err != nil {
		return nil, err
	}
	if msg[0] != want {
		return nil, fmt.Errorf("%w: got message type %d, want %d", ErrBadMessage, msg[0], want)
	}
	if len(msg) != n {
		return nil, fmt.Errorf("%w: message type %d: %d bytes, want %d", ErrBadMessage, want, len(msg), n)
	}
	return msg[MessageHeaderLen:], nil
}

type hello struct {
	nonce    [nonceSize]byte
	versions []uint16
}

func (h *hello) marshal() []byte {
	b := make([]byte, 0, MessageHeaderLen+bodyLen(msgHello, len(h.versions)))
	b = append(b, msgHello, byte(bodyLen(msgHello, len(h.versions))))
	b = append(b, h.nonce[:]...)
	b = append(b, byte(len(h.versions)))
	for _, v := range h.versions {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

func parseHello(msg []byte) (hello, error) {
	var h hello
	body, err := parseMessage(msg, msgHello)
	if err != nil {
		return h, err
	}
	copy(h.nonce[:], body)
	count := int(body[nonceSize])
	if count < 1 || count > MaxVersions || len(body) != bodyLen(msgHello, count) {
		return h, fmt.Errorf("%w: hello lists %d versions in %d bytes", ErrBadMessage, count, len(body))
	}
	h.versions = make([]uint16, count)
	for i := range h.versions {
		h.versions[i] = binary.BigEndian.Uint16(body[nonceSize+1+2*i:])
	}
	return h, nil
}

// adVersions is the encoding of a version list in ADa.
func adVersions(vs []uint16) []byte {
	b := []byte("ADa")
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// adVersion is ADb: the chosen version.
func adVersion(v uint16) []byte { return binary.BigEndian.AppendUint16([]byte("ADb"), v) }

type reply struct {
	version uint16
	nonce   [nonceSize]byte
	y       [32]byte
}

func (r *reply) marshal() []byte {
	b := make([]byte, 0, MessageHeaderLen+bodyLen(msgReply, 0))
	b = append(b, msgReply, byte(bodyLen(msgReply, 0)))
	b = binary.BigEndian.AppendUint16(b, r.version)
	b = append(b, r.nonce[:]...)
	return append(b, r.y[:]...)
}

func parseReply(msg []byte) (reply, error) {
	var r reply
	body, err := parseMessage(msg, msgReply)
	if err != nil {
		return r, err
	}
	r.version = binary.BigEndian.Uint16(body)
	copy(r.nonce[:], body[2:])
	copy(r.y[:], body[2+nonceSize:])
	return r, nil
}

type confirmA struct {
	y   [32]byte
	tag [tagSize]byte
}

func (c *confirmA) marshal() []byte {
	b := make([]byte, 0, MessageHeaderLen+bodyLen(msgConfirmA, 0))
	b = append(b, msgConfirmA, byte(bodyLen(msgConfirmA, 0)))
	b = append(b, c.y[:]...)
	return append(b, c.tag[:]...)
}

func parseConfirmA(msg []byte) (confirmA, error) {
	var c confirmA
	body, err := parseMessage(msg, msgConfirmA)
	if err != nil {
		return c, err
	}
	copy(c.y[:], body)
	copy(c.tag[:], body[32:])
	return c, nil
}

func marshalConfirmB(tag *[tagSize]byte) []byte {
	b := make([]byte, 0, MessageHeaderLen+tagSize)
	b = append(b, msgConfirmB, tagSize)
	return append(b, tag[:]...)
}

func parseConfirmB(msg []byte) ([tagSize]byte, error) {
	var t [tagSize]byte
	body, err := parseMessage(msg, msgConfirmB)
	if err != nil {
		return t, err
	}
	copy(t[:], body)
	return t, nil
}
