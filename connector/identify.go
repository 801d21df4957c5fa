package connector

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// The identify exchange (native mode only) runs on every new TCP connection
// before it is handed to the user:
//
//	dialer   -> acceptor: hello  = frame(record kind 4 + 8-byte target id [+ extensions])
//	acceptor -> dialer:   accept = frame(record kind 5)
//	                   or reject = frame(magic, version, kind 6, reason)
//
// where frame(x) is a 2-byte big-endian length followed by x. The target id
// is the id the dialer heard in the acceptor's beacon; the acceptor rejects
// a hello meant for another peer (a stale beacon). Frames are read with
// exact-length reads, so no byte after the exchange is consumed: the user's
// stream starts right after it.
//
// Which connection survives when two peers dial each other at once is
// decided by the acceptor alone, under the connector's lock (see
// (*BroadcastConnector).decideIncoming); the dialer only follows the answer.

// Reject reasons.
const (
	rejectSelf      = 1  // the hello came from ourselves
	rejectTarget    = 2  // the hello is for another peer id
	rejectApp       = 3  // another application id
	rejectDuplicate = 4  // we keep another connection to this peer
	rejectStopping  = 5  // discovery is over
	rejectFull      = 6  // peer table full
	rejectBusy      = 7  // OneToOne: pairing with another peer
	rejectJoining   = 8  // a joiner accepts no connection
	rejectNameplate = 9  // the hello joins a nameplate we do not offer
	rejectRate      = 10 // Secured: too many hellos from that address
)

const maxIdentifyFrame = 512

func rejectReasonString(r byte) string {
	switch r {
	case rejectSelf:
		return "self"
	case rejectTarget:
		return "wrong target"
	case rejectApp:
		return "other application"
	case rejectDuplicate:
		return "duplicate connection"
	case rejectStopping:
		return "not accepting"
	case rejectFull:
		return "peer table full"
	case rejectBusy:
		return "pairing with another peer"
	case rejectJoining:
		return "joining another peer"
	case rejectNameplate:
		return "no such nameplate"
	case rejectRate:
		return "too many hellos"
	}
	return fmt.Sprintf("reason %d", r)
}

// frame wraps body into an identify frame.
func appendFrame(dst []byte, body func([]byte) []byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0)
	dst = body(dst)
	binary.BigEndian.PutUint16(dst[start:], uint16(len(dst)-start-2))
	return dst
}

func helloFrame(self *record, target PeerID) []byte {
	return appendFrame(nil, func(b []byte) []byte {
		r := *self
		r.kind = kindHello
		b = appendRecord(b, &r)
		b = binary.BigEndian.AppendUint64(b, uint64(target))
		return appendExt(b, &r)
	})
}

func acceptFrame(self *record) []byte {
	return appendFrame(nil, func(b []byte) []byte {
		r := *self
		r.kind = kindAccept
		r.np = 0
		return appendRecord(b, &r)
	})
}

func rejectFrame(reason byte) []byte {
	return appendFrame(nil, func(b []byte) []byte {
		b = append(b, beaconMagic...)
		return append(b, protocolVersion, kindReject, reason)
	})
}

// readFrame reads one identify frame with exact reads.
func readFrame(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n < 6 || n > maxIdentifyFrame {
		return nil, errFrameLen
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// parseHello decodes a hello frame body.
func parseHello(b []byte) (r record, target PeerID, err error) {
	r, rest, err := parseRecord(b)
	if err != nil {
		return r, 0, err
	}
	if r.kind != kindHello {
		return r, 0, errNotHello
	}
	if len(rest) < 8 {
		return r, 0, errHelloShape
	}
	if err := parseExt(rest[8:], &r); err != nil {
		return r, 0, err
	}
	return r, PeerID(binary.BigEndian.Uint64(rest)), nil
}

// parseReply decodes an accept or reject frame body. A reject returns an
// error wrapping ErrRejected.
func parseReply(b []byte) (record, error) {
	if err := checkHeader(b); err != nil {
		return record{}, err
	}
	if b[5] == kindReject {
		if len(b) != 7 {
			return record{}, errTrailing
		}
		return record{}, fmt.Errorf("%w (%s)", ErrRejected, rejectReasonString(b[6]))
	}
	r, rest, err := parseRecord(b)
	if err != nil {
		return r, err
	}
	if r.kind != kindAccept {
		return r, errNotReply
	}
	if len(rest) != 0 {
		return r, errTrailing
	}
	return r, nil
}

// writeAll writes b to conn (net.Conn writes are all-or-error).
func writeAll(conn net.Conn, b []byte) error {
	_, err := conn.Write(b)
	return err
}
