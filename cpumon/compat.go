package main

import (
	"context"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/messenger"
)

// -compat mode: cable_car 1.0.1's cpu_mon says no hello and knows none of a
// room.Room's control messages (its pings, its goodbye), so this mode keeps
// its own BroadcastConnector and one Messenger per peer, pumped by the same
// loop as the room of native mode.

// peer is one connected peer with its Messenger.
type peer struct {
	key  string
	info connector.Peer
	m    *messenger.Messenger
}

// peerKey names a peer in the host table and the -json output: its id, or
// in compat mode (no ids) its IP address, as cable_car keys peers.
func peerKey(p connector.Peer) string {
	if p.ID != 0 {
		return p.ID.String()
	}
	return p.Addr.Addr().String()
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
		if s, ok := msg.(*wire.MsgStats); ok { // else a built-in message: nothing to do
			mo.got(p.key, p.info.Addr.String(), s, now)
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
	mo.gone(p.key, p.info.Addr.String(), reason, now)
}

// send queues s for p, without cpumon's extras. A full
// queue (a peer that does not read) skips this sample for that peer; a lost
// connection is reported by the next Xfer.
func (mo *monitor) send(p *peer, s *wire.MsgStats) {
	if err := p.m.Send(s.Compat()); err != nil {
		mo.log.Debug("cpumon: sample not sent", "peer", p.key, "err", err)
	}
}

// close ends every compat connection.
func (mo *monitor) close() {
	for _, p := range mo.peers {
		p.m.Close()
	}
	clear(mo.peers)
}
