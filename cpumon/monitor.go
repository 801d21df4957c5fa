package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/cpumon/internal/stats"
	"github.com/cablecar-go/cablecar/cpumon/internal/table"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

const (
	appID        = "cpumon"
	pumpEvery    = 50 * time.Millisecond // how often every peer's Messenger is pumped
	helloTimeout = 3 * time.Second       // bounds a new connection's hello exchange
)

// peer is one connected peer with its Messenger.
type peer struct {
	key  string
	info connector.Peer
	m    *messenger.Messenger
}

// monitor is cpumon's main loop: it owns the Messengers and the host table
// and runs on one goroutine; other goroutines talk to it through events.
type monitor struct {
	opts   options
	log    *slog.Logger
	codec  *message.JSONCodec
	coll   *stats.Collector
	conn   *connector.BroadcastConnector
	events *eventQueue
	hosts  *table.Hosts
	peers  map[net.Conn]*peer
	self   string // the host table key of this machine
	view   *view
	json   *jsonWriter

	helloCtx    context.Context
	helloCancel context.CancelFunc
	hellos      chan struct{} // one token per hello goroutine running
}

// peerKey names a peer in the host table and the -json output: its id, or
// in compat mode (no ids) its IP address, as cable_car keys peers.
func peerKey(p connector.Peer) string {
	if p.ID != 0 {
		return p.ID.String()
	}
	return p.Addr.Addr().String()
}

// loop runs until ctx ends.
func (mo *monitor) loop(ctx context.Context) error {
	tick := time.NewTicker(pumpEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-mo.events.signal:
			mo.handleEvents(time.Now())
		case s := <-mo.coll.Updates():
			mo.ownSample(s, time.Now())
		case <-tick.C:
		}
		if err := mo.refresh(time.Now()); err != nil {
			return err
		}
	}
}

// refresh pumps every peer, forgets the hosts that have been gone for
// long (with -json too, where nothing is drawn: a long-running monitor
// must not keep every peer it ever saw) and redraws when due.
func (mo *monitor) refresh(now time.Time) error {
	for _, p := range mo.peers {
		mo.pump(p, now)
	}
	mo.hosts.Expire(now)
	return mo.view.maybeDraw(mo.hosts, now)
}

func (mo *monitor) handleEvents(now time.Time) {
	for _, ev := range mo.events.drain() {
		switch ev.kind {
		case evConnected:
			mo.startHello(ev.peer)
		case evReady:
			p := &peer{key: peerKey(ev.peer), info: ev.peer, m: ev.m}
			mo.peers[ev.peer.Conn] = p
			mo.log.Debug("cpumon: peer ready", "peer", p.key, "addr", ev.peer.Addr)
			if s := mo.coll.Latest(); s != nil {
				mo.send(p, s) // like cpu_mon: one sample at once on connect
			}
		case evFailed:
			mo.log.Debug("cpumon: hello failed", "addr", ev.peer.Addr, "err", ev.err)
		case evDisconnected:
			if p, ok := mo.peers[ev.peer.Conn]; ok {
				mo.drop(p, ev.err, now)
			}
		}
	}
}

// startHello makes a Messenger for a new connection on its own goroutine:
// the hello exchange may take up to helloTimeout and must not stall the
// loop. The goroutine is bounded by helloCtx, and waited for at shutdown.
// When cap(hellos) hellos are in flight already the connection is closed
// at once (the connector dials the peer again on its next beacon): the
// loop never waits for a slow peer.
func (mo *monitor) startHello(p connector.Peer) {
	select {
	case mo.hellos <- struct{}{}:
	default:
		mo.log.Debug("cpumon: too many hellos in flight, closing", "addr", p.Addr)
		p.Conn.Close()
		return
	}
	go func() {
		defer func() { <-mo.hellos }()
		ctx, cancel := context.WithTimeout(mo.helloCtx, helloTimeout)
		defer cancel()
		m, err := messenger.New(ctx, p.Conn, mo.codec, &messenger.Options{Compat: mo.opts.compat, AppID: appID, Logger: mo.log})
		if err != nil {
			p.Conn.Close()
			mo.events.push(event{kind: evFailed, peer: p, err: err})
			return
		}
		mo.events.push(event{kind: evReady, peer: p, m: m})
	}()
}

// waitHellos waits for every hello goroutine, then closes the Messengers
// they made that the loop never took.
func (mo *monitor) waitHellos() {
	mo.helloCancel()
	for range cap(mo.hellos) {
		mo.hellos <- struct{}{}
	}
	for _, ev := range mo.events.drain() {
		if ev.kind == evReady {
			ev.m.Close()
		}
	}
}

// pump moves p's bytes and takes in the stats it sent.
func (mo *monitor) pump(p *peer, now time.Time) {
	err := p.m.Xfer()
	for msg := p.m.Get(); msg != nil; msg = p.m.Get() {
		s, ok := msg.(*wire.MsgStats)
		if !ok {
			continue // a built-in message: nothing to do
		}
		mo.hosts.Update(p.key, s, now)
		mo.view.changed()
		if err := mo.json.write(jsonEvent{Type: "stats", Peer: p.key, Addr: p.info.Addr.String(), Stats: s}, now); err != nil {
			mo.log.Warn("cpumon: writing JSON", "err", err)
		}
	}
	if err == nil {
		return
	}
	mo.drop(p, err, now)
}

// drop forgets p: its Messenger is closed and its row marked gone.
func (mo *monitor) drop(p *peer, reason error, now time.Time) {
	p.m.Close()
	delete(mo.peers, p.info.Conn)
	mo.hosts.Disconnected(p.key, now)
	mo.view.changed()
	mo.log.Debug("cpumon: peer gone", "peer", p.key, "reason", reason)
	if err := mo.json.write(jsonEvent{Type: "gone", Peer: p.key, Addr: p.info.Addr.String(), Reason: reasonText(reason)}, now); err != nil {
		mo.log.Warn("cpumon: writing JSON", "err", err)
	}
}

func reasonText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, connector.ErrPeerLeft), errors.Is(err, io.EOF): // io.EOF: a clean close (messenger.ErrPeerClosed wraps it)
		return "left"
	case errors.Is(err, connector.ErrPeerTimeout), errors.Is(err, syscall.ETIMEDOUT):
		// ETIMEDOUT: TCP keepalive / TCP_USER_TIMEOUT (= the peer timeout)
		// broke the connection under a Read before the connector's sweep
		// noticed the silence; the same event, so the same word.
		return "timeout"
	}
	return err.Error()
}

// ownSample shows this machine's new sample and sends it to every peer.
func (mo *monitor) ownSample(s *wire.MsgStats, now time.Time) {
	mo.hosts.Update(mo.self, s, now)
	mo.view.changed()
	for _, p := range mo.peers {
		mo.send(p, s)
	}
}

// send queues s for p (without cpumon's extras in compat mode). A full
// queue (a peer that does not read) skips this sample for that peer; a lost
// connection is reported by the next Xfer.
func (mo *monitor) send(p *peer, s *wire.MsgStats) {
	if mo.opts.compat {
		s = s.Compat()
	}
	if err := p.m.Send(s); err != nil {
		mo.log.Debug("cpumon: sample not sent", "peer", p.key, "err", err)
	}
}

// close ends every connection.
func (mo *monitor) close() {
	for _, p := range mo.peers {
		p.m.Close()
	}
	clear(mo.peers)
}
