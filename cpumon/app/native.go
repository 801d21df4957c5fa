package app

import (
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/replica"
	"github.com/cablecar-go/cablecar/room"
)

// Native mode shares each machine's stats as a replica Cacheable: every
// cpumon publishes its samples under statsName, and observes statsName
// of each peer that joins, from that peer alone (replica.ObserveFrom: a
// view per peer, so no peer can pass for another); the host table is fed by those views. A new
// observer gets a snapshot of the latest sample, then each sample as a
// delta of the figures that changed. With -compat, cpumon sends
// cable_car's MsgStats messages instead (compat.go).

// nativeStats is what a machine publishes: its latest sample, and the
// sample's number, so that every sample reaches the observers (and keeps
// the host fresh in their tables) even when no figure changed.
type nativeStats struct {
	Sample uint64
	Stats  wire.MsgStats
}

// statsName is the name under which every machine publishes its stats.
const statsName = "stats"

// nativeCodec is native mode's codec: msgpack, with the replica's frames.
func nativeCodec() message.Codec {
	c := msgpack.NewCodec(nil)
	replica.Register(c)
	return c
}

// native is the replica's side of native mode.
type native struct {
	hub   *replica.Hub
	pub   *replica.Published[nativeStats] // nil until the first sample
	views map[room.PeerID]*replica.View[nativeStats]
}

func newNative(r *room.Room) *native {
	return &native{hub: replica.New(r, nil), views: map[room.PeerID]*replica.View[nativeStats]{}}
}

// publish publishes this machine's new sample s.
func (mo *monitor) publish(s *wire.MsgStats) {
	nv := mo.native
	if nv.pub == nil {
		pub, err := replica.Publish(nv.hub, statsName, nativeStats{Sample: 1, Stats: *s})
		if err != nil {
			mo.log.Warn("cpumon: publishing the stats", "err", err)
			return
		}
		nv.pub = pub
		return
	}
	nv.pub.Update(func(v *nativeStats) { v.Sample, v.Stats = v.Sample+1, *s })
}

// member is what the room said of a peer when it joined.
type member struct {
	key  string // its id, the host table key
	addr string
}

// roomKey names a peer of the room in the host table and the -json output:
// its id, as its beacons give it.
func roomKey(id room.PeerID) string { return connector.PeerID(id).String() }

// pumpRoom moves the room's bytes and takes in what happened (Xfer, Get,
// Send, Xfer, the order the messenger doc gives): peers joined (their
// stats observed), the replica's frames, and peers gone; then the stats
// the views got, and this machine's sample to its observers (Flush). In
// compat mode (no replica: nv is nil) a joined peer is sent the latest
// sample at once, like cpu_mon does, and its stats come as messages.
func (mo *monitor) pumpRoom(now time.Time) {
	nv := mo.native
	_ = mo.room.Xfer() // an error only once the room is closed
	for ev := mo.room.Get(); ev != nil; ev = mo.room.Get() {
		if nv != nil && nv.hub.Handle(ev) {
			continue // a replica frame
		}
		switch ev := ev.(type) {
		case room.Joined:
			mb := member{key: mo.memberKey(ev), addr: ev.Addr}
			mo.members[ev.Peer] = mb
			mo.log.Debug("cpumon: peer ready", "peer", mb.key, "addr", mb.addr)
			if nv == nil {
				mo.sendLatest(ev.Peer, mb.key)
			} else if nv.views[ev.Peer] == nil {
				v, err := replica.ObserveFrom[nativeStats](nv.hub, ev.Peer, statsName)
				if err != nil {
					mo.log.Warn("cpumon: observing", "peer", mb.key, "err", err)
					continue
				}
				nv.views[ev.Peer] = v
			}
		case room.Message:
			if s, ok := ev.Msg.(*wire.MsgStats); ok { // compat mode; else a built-in message: nothing to do
				mb := mo.members[ev.Peer]
				mo.got(mb.key, mb.addr, s, now)
			}
		case room.Left:
			mb := mo.members[ev.Peer]
			delete(mo.members, ev.Peer)
			if v := nv.view(ev.Peer); v != nil {
				v.Close()
				delete(nv.views, ev.Peer)
			}
			mo.gone(mb.key, mb.addr, ev.Reason, now)
		case room.Rejected:
			mo.log.Debug("cpumon: hello failed", "addr", ev.Addr, "err", ev.Reason)
		}
	}
	if nv != nil {
		mo.takeViews(nv, now)
	}
	_ = mo.room.Xfer() // what was sent above leaves now, not at the next pump
	mo.readRTTs()
}

// readRTTs gives the host table each peer's round trip, from its
// Messenger's pings (Room.Stats; compat mode has none, and no RTT column).
func (mo *monitor) readRTTs() {
	var st messenger.Stats
	for id, mb := range mo.members {
		if mo.room.Stats(id, &st) && st.PongsIn > 0 {
			mo.hosts.SetRTT(mb.key, st.SmoothedRTT)
		}
	}
}

// view is the view of peer's stats, nil if none (or in compat mode).
func (nv *native) view(peer room.PeerID) *replica.View[nativeStats] {
	if nv == nil {
		return nil
	}
	return nv.views[peer]
}

// takeViews takes in the stats the views got, and sends this machine's
// sample to its observers (Flush).
func (mo *monitor) takeViews(nv *native, now time.Time) {
	for ev := nv.hub.Get(); ev != nil; ev = nv.hub.Get() {
		mo.log.Debug("cpumon: replica", "event", fmt.Sprintf("%+v", ev))
	}
	for peer, v := range nv.views {
		if s, changed := v.Value(); changed.Len() > 0 && v.Ready() {
			mb := mo.members[peer]
			st := s.Stats
			mo.got(mb.key, mb.addr, &st, now)
		}
	}
	if err := nv.hub.Flush(); err != nil {
		// A full queue (a peer that does not read): that observer gets a
		// snapshot at the next Flush.
		mo.log.Debug("cpumon: stats not sent to every observer", "err", err)
	}
}

// sendLatest sends this machine's latest sample to a compat peer that
// joined.
func (mo *monitor) sendLatest(peer room.PeerID, key string) {
	if s := mo.coll.Latest(); s != nil {
		if err := mo.room.Send(peer, mo.onWire(s)); err != nil {
			mo.log.Debug("cpumon: sample not sent", "peer", key, "err", err)
		}
	}
}
