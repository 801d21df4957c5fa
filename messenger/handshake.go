package messenger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/cablecar-go/cablecar/secure"
)

// The secure handshake (see "Security" in the package documentation).
//
// With Options.Secret set, New runs package secure's CPace handshake on the
// connection right after the hellos: the side with the lower peer id is the
// initiator. Each handshake message is written whole with one Write and
// read exactly (header, then the length it announces), so no byte of the
// records that follow is read early.

// SecureProtocolVersion is the hello version of a Messenger with
// Options.Secret: the hello, then the secure handshake, then sealed
// records. A secure Messenger and a plaintext one (ProtocolVersion) refuse
// each other at the hello, on both sides, with a *HelloError of Field
// "version".
const SecureProtocolVersion = 4

// maxHandshakeMessage bounds a handshake message read from the peer (the
// header's length byte bounds it anyway).
const maxHandshakeMessage = secure.MessageHeaderLen + 255

// handshakeConfig returns the Config of this side's handshake: the role
// decided by the peer ids of the hellos, both hellos bound as Context.
func handshakeConfig(o *Options, local, remote Hello) (*secure.Config, error) {
	if local.PeerID == remote.PeerID {
		return nil, fmt.Errorf("messenger: secure handshake: the peer has this side's own peer id %d (a reflected connection?): %w", local.PeerID, secure.ErrConfig)
	}
	role := secure.Initiator
	first, second := local, remote
	if local.PeerID > remote.PeerID {
		role = secure.Responder
		first, second = remote, local
	}
	ctx := appendHello(nil, first)
	ctx = appendHello(ctx, second)
	return &secure.Config{
		Role:      role,
		Secret:    o.Secret,
		AppID:     o.AppID,
		Nameplate: o.Nameplate,
		LocalID:   strconv.FormatUint(local.PeerID, 16),
		RemoteID:  strconv.FormatUint(remote.PeerID, 16),
		Context:   ctx,
	}, nil
}

// runHandshake runs the handshake of cfg on conn, bounded by ctx, and
// returns the keys. It leaves the connection's deadline cleared and no
// goroutine behind. A wrong secret gives an error wrapping
// secure.ErrWrongCode on both sides: the responder writes its last message
// before it reports the failure, so the initiator finds it too.
func runHandshake(ctx context.Context, conn net.Conn, cfg *secure.Config) (_ secure.Keys, err error) {
	h, err := secure.NewHandshake(cfg)
	if err != nil {
		return secure.Keys{}, fmt.Errorf("messenger: secure handshake: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return secure.Keys{}, fmt.Errorf("messenger: secure handshake: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return secure.Keys{}, fmt.Errorf("messenger: secure handshake: set deadline: %w", err)
		}
	}
	cancelled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(cancelled)
		_ = conn.SetDeadline(aLongTimeAgo)
	})
	keys, err := handshakeIO(conn, h)
	if !stop() {
		<-cancelled
	}
	_ = conn.SetDeadline(time.Time{})
	if err != nil && h.Attempted() {
		defer func() { err = &GuessError{Err: err} }()
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil {
			if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
				<-ctx.Done() // the conn's deadline is ctx's: it has passed
			}
			if ctx.Err() != nil {
				return secure.Keys{}, fmt.Errorf("messenger: secure handshake: %w", ctx.Err())
			}
		}
		return secure.Keys{}, fmt.Errorf("messenger: secure handshake: %w", err)
	}
	return keys, nil
}

// handshakeIO moves the messages of h: write what it says, read what the
// peer sends, until done or failed. The two sides alternate strictly, so a
// blocking write on an unbuffered conn (net.Pipe) finds the peer reading.
func handshakeIO(conn net.Conn, h *secure.Handshake) (secure.Keys, error) {
	msg, err := h.Start()
	if err != nil {
		return secure.Keys{}, err
	}
	var buf [maxHandshakeMessage]byte
	for {
		if msg != nil {
			if _, err := conn.Write(msg); err != nil {
				return secure.Keys{}, fmt.Errorf("write: %w", err)
			}
		}
		in, err := readHandshakeMessage(conn, buf[:])
		if err != nil {
			return secure.Keys{}, err
		}
		reply, done, herr := h.Read(in)
		if herr != nil {
			if reply != nil {
				// The responder's last message on a wrong code: send it
				// so that the initiator learns of the failure too.
				_, _ = conn.Write(reply)
			}
			return secure.Keys{}, herr
		}
		if done {
			if reply != nil {
				if _, err := conn.Write(reply); err != nil {
					return secure.Keys{}, fmt.Errorf("write: %w", err)
				}
			}
			return h.Keys()
		}
		msg = reply
	}
}

// readHandshakeMessage reads exactly one handshake message into buf.
func readHandshakeMessage(conn net.Conn, buf []byte) ([]byte, error) {
	if _, err := io.ReadFull(conn, buf[:secure.MessageHeaderLen]); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	n, err := secure.MessageLen(buf[:secure.MessageHeaderLen])
	if err != nil {
		return nil, err
	}
	if n > len(buf) {
		return nil, fmt.Errorf("%w: %d bytes", secure.ErrBadMessage, n)
	}
	if _, err := io.ReadFull(conn, buf[secure.MessageHeaderLen:n]); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return buf[:n], nil
}
