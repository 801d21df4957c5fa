package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"syscall"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/cpumon/internal/stats"
	"github.com/cablecar-go/cablecar/cpumon/internal/table"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

const (
	appID        = "cpumon"
	pumpEvery    = 50 * time.Millisecond // how often every peer's Messenger is pumped
	helloTimeout = 3 * time.Second       // bounds a new connection's hello exchange
)

// monitor is cpumon's main loop: it owns the room (in compat mode with
// -compat) and the host table and runs on one goroutine.
type monitor struct {
	opts  options
	log   *slog.Logger
	codec *message.JSONCodec
	coll  *stats.Collector
	hosts *table.Hosts
	self  string // the host table key of this machine
	view  *view
	json  *jsonWriter

	// The room, what it says of each peer in it, and (native mode) the
	// replica's hub and views on it (native.go).
	room    *room.Room
	members map[room.PeerID]member
	native  *native
}

// loop runs until ctx ends.
func (mo *monitor) loop(ctx context.Context) error {
	tick := time.NewTicker(pumpEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case s := <-mo.coll.Updates():
			mo.ownSample(s, time.Now())
		case <-tick.C:
		}
		if err := mo.refresh(time.Now()); err != nil {
			return err
		}
	}
}

// refresh pumps the room, forgets the hosts that have been gone for
// long (with -json too, where nothing is drawn: a long-running monitor
// must not keep every peer it ever saw) and redraws when due.
func (mo *monitor) refresh(now time.Time) error {
	if mo.room != nil {
		mo.pumpRoom(now)
	}
	mo.hosts.Expire(now)
	return mo.view.maybeDraw(mo.hosts, now)
}

// got takes in the stats s that peer key (at addr) sent.
func (mo *monitor) got(key, addr string, s *wire.MsgStats, now time.Time) {
	mo.hosts.Update(key, s, now)
	mo.view.changed()
	if err := mo.json.write(jsonEvent{Type: "stats", Peer: key, Addr: addr, Stats: s}, now); err != nil {
		mo.log.Warn("cpumon: writing JSON", "err", err)
	}
}

// gone marks peer key (at addr) gone for reason.
func (mo *monitor) gone(key, addr string, reason error, now time.Time) {
	mo.hosts.Disconnected(key, now)
	mo.view.changed()
	mo.log.Debug("cpumon: peer gone", "peer", key, "reason", reason)
	if err := mo.json.write(jsonEvent{Type: "gone", Peer: key, Addr: addr, Reason: reasonText(reason)}, now); err != nil {
		mo.log.Warn("cpumon: writing JSON", "err", err)
	}
}

func reasonText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, room.ErrPeerTimeout), errors.Is(err, connector.ErrPeerTimeout), errors.Is(err, syscall.ETIMEDOUT):
		// ETIMEDOUT: TCP keepalive / TCP_USER_TIMEOUT (= the peer timeout)
		// broke the connection under a Read before the connector's sweep
		// noticed the silence; the same event, so the same word. First:
		// a room's timeout may carry the end of the stream in its cause
		// (the connector closed the silent peer's connection).
		return "timeout"
	case errors.Is(err, room.ErrPeerLeft), errors.Is(err, connector.ErrPeerLeft), errors.Is(err, io.EOF): // io.EOF: a clean close (messenger.ErrPeerClosed wraps it)
		return "left"
	}
	return err.Error()
}

// ownSample shows this machine's new sample and sends it to every peer.
func (mo *monitor) ownSample(s *wire.MsgStats, now time.Time) {
	mo.hosts.Update(mo.self, s, now)
	mo.view.changed()
	if mo.room != nil {
		if mo.native != nil {
			mo.publish(s) // to every observer at the next Flush (pumpRoom)
		} else if err := mo.room.SendAll(mo.onWire(s)); err != nil {
			// A full queue (a peer that does not read) skips this sample
			// for that peer; the others have it.
			mo.log.Debug("cpumon: sample not sent to every peer", "err", err)
		}
	}
}
