package messenger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// ProtocolVersion is the version of the hello and of the stream after it,
// sent in every hello. Both ends must have the same. Version 1 (the first
// release) had no ping frames in the stream and 2 was its secure
// variant; a peer of either is refused at the hello.
const ProtocolVersion = 3

// Hello layout (see the package documentation).
const (
	helloMagic      = "CCAR"
	helloHeaderSize = 4 + 1 + 2 // magic, version, body length
	maxCodecName    = 32
	maxAppID        = 255
	// maxHelloBody bounds the body length a peer may announce.
	maxHelloBody = 1 + maxCodecName + 1 + maxAppID + 8
)

// Hello is what each end tells the other before the first message (unless
// Options.Compat is set).
type Hello struct {
	Version uint8  // protocol version, ProtocolVersion
	Codec   string // codec name: "byte", "json", "msgpack"
	AppID   string // Options.AppID
	PeerID  uint64 // Options.PeerID, or the random id picked for this side
}

// appendHello appends the wire form of h to dst.
func appendHello(dst []byte, h Hello) []byte {
	body := 1 + len(h.Codec) + 1 + len(h.AppID) + 8
	dst = append(dst, helloMagic...)
	dst = append(dst, h.Version)
	dst = binary.BigEndian.AppendUint16(dst, uint16(body))
	dst = append(dst, byte(len(h.Codec)))
	dst = append(dst, h.Codec...)
	dst = append(dst, byte(len(h.AppID)))
	dst = append(dst, h.AppID...)
	return binary.BigEndian.AppendUint64(dst, h.PeerID)
}

// checkHelloHeader validates the fixed header against the local hello and
// returns the body length.
func checkHelloHeader(hdr []byte, local Hello) (int, error) {
	if string(hdr[:4]) != helloMagic {
		return 0, &HelloError{Field: "magic", Local: fmt.Sprintf("%q", helloMagic), Remote: fmt.Sprintf("%q", hdr[:4])}
	}
	if hdr[4] != local.Version {
		return 0, &HelloError{Field: "version", Local: fmt.Sprint(local.Version), Remote: fmt.Sprint(hdr[4])}
	}
	n := int(binary.BigEndian.Uint16(hdr[5:7]))
	if n < 1+1+1+8 || n > maxHelloBody {
		return 0, &HelloError{Field: "length", Remote: fmt.Sprintf("body length %d, want %d..%d", n, 1+1+1+8, maxHelloBody)}
	}
	return n, nil
}

// parseHelloBody decodes a hello body (after the header).
func parseHelloBody(version uint8, body []byte) (Hello, error) {
	h := Hello{Version: version}
	bad := func(what string) (Hello, error) {
		return Hello{}, &HelloError{Field: "length", Remote: what}
	}
	c := int(body[0])
	if c == 0 || c > maxCodecName || 1+c+1 > len(body) {
		return bad(fmt.Sprintf("codec name length %d in a %d-byte body", c, len(body)))
	}
	h.Codec = string(body[1 : 1+c])
	rest := body[1+c:]
	a := int(rest[0])
	if 1+a+8 != len(rest) {
		return bad(fmt.Sprintf("app id length %d does not fit the %d bytes left", a, len(rest)))
	}
	h.AppID = string(rest[1 : 1+a])
	h.PeerID = binary.BigEndian.Uint64(rest[1+a:])
	return h, nil
}

// parseHello decodes a whole hello from b (used by tests and the fuzz
// target); it returns the number of bytes used.
func parseHello(b []byte, local Hello) (Hello, int, error) {
	if len(b) < helloHeaderSize {
		return Hello{}, 0, io.ErrUnexpectedEOF
	}
	n, err := checkHelloHeader(b[:helloHeaderSize], local)
	if err != nil {
		return Hello{}, 0, err
	}
	if len(b) < helloHeaderSize+n {
		return Hello{}, 0, io.ErrUnexpectedEOF
	}
	h, err := parseHelloBody(b[4], b[helloHeaderSize:helloHeaderSize+n])
	return h, helloHeaderSize + n, err
}

// matchHello checks the peer's hello against ours.
func matchHello(local, remote Hello) error {
	if local.Codec != remote.Codec {
		return &HelloError{Field: "codec", Local: local.Codec, Remote: remote.Codec}
	}
	if local.AppID != remote.AppID {
		return &HelloError{Field: "app id", Local: local.AppID, Remote: remote.AppID}
	}
	return nil
}

// readHello reads exactly one hello from conn, never a byte more.
func readHello(conn net.Conn, local Hello) (Hello, error) {
	var buf [helloHeaderSize + maxHelloBody]byte
	if _, err := io.ReadFull(conn, buf[:helloHeaderSize]); err != nil {
		return Hello{}, err
	}
	n, err := checkHelloHeader(buf[:helloHeaderSize], local)
	if err != nil {
		return Hello{}, err
	}
	body := buf[helloHeaderSize : helloHeaderSize+n]
	if _, err := io.ReadFull(conn, body); err != nil {
		return Hello{}, err
	}
	remote, err := parseHelloBody(buf[4], body)
	if err != nil {
		return Hello{}, err
	}
	return remote, matchHello(local, remote)
}

// errHelloTooLong is returned by New for an Options.AppID or codec name
// that does not fit in a hello.
var errHelloTooLong = errors.New("messenger: app id or codec name too long for the hello")

// exchangeHello writes our hello and reads the peer's, concurrently (a
// net.Pipe has no buffer), bounded by ctx. It leaves the connection's
// deadline cleared and no goroutine behind.
func exchangeHello(ctx context.Context, conn net.Conn, local Hello) (Hello, error) {
	if len(local.Codec) == 0 || len(local.Codec) > maxCodecName || len(local.AppID) > maxAppID {
		return Hello{}, errHelloTooLong
	}
	if err := ctx.Err(); err != nil {
		return Hello{}, fmt.Errorf("messenger: hello: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return Hello{}, fmt.Errorf("messenger: hello: set deadline: %w", err)
		}
	}
	cancelled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(cancelled)
		_ = conn.SetDeadline(aLongTimeAgo) // unblock the read and the write
	})

	out := appendHello(make([]byte, 0, helloHeaderSize+maxHelloBody), local)
	written := make(chan error, 1)
	go func() {
		_, err := conn.Write(out)
		written <- err
	}()
	remote, rerr := readHello(conn, local)
	var he *HelloError
	if rerr != nil && !errors.As(rerr, &he) {
		// The read failed: the write may be stuck on a peer that never
		// reads (net.Pipe). After a whole hello that does not match, the
		// write goes on (bounded by ctx) so that the peer learns why too.
		_ = conn.SetDeadline(aLongTimeAgo)
	}
	werr := <-written
	if !stop() {
		<-cancelled
	}
	_ = conn.SetDeadline(time.Time{})
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) && (errors.Is(rerr, os.ErrDeadlineExceeded) || errors.Is(werr, os.ErrDeadlineExceeded)) {
		<-ctx.Done() // the conn's deadline is ctx's: it has passed
	}

	switch {
	case rerr != nil && errors.As(rerr, &he):
		return Hello{}, rerr
	case ctx.Err() != nil && (rerr != nil || werr != nil):
		return Hello{}, fmt.Errorf("messenger: hello: %w", ctx.Err())
	case rerr != nil:
		return Hello{}, fmt.Errorf("messenger: hello: read: %w", rerr)
	case werr != nil:
		return Hello{}, fmt.Errorf("messenger: hello: write: %w", werr)
	}
	return remote, nil
}

// aLongTimeAgo is a deadline in the past, which unblocks pending I/O.
var aLongTimeAgo = time.Unix(1, 0)
