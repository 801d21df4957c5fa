package main

import (
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// member is what the room said of a peer when it joined.
type member struct {
	key  string // its id, the host table key
	addr string
}

// roomKey names a peer of the room in the host table and the -json output:
// its id, as its beacons give it.
func roomKey(id room.PeerID) string { return connector.PeerID(id).String() }

// pumpRoom moves the room's bytes and takes in what happened (Xfer, Get,
// Send, Xfer, the order the messenger doc gives): peers
// joined (sent this machine's latest sample at once, like cpu_mon does),
// their stats, and peers gone.
func (mo *monitor) pumpRoom(now time.Time) {
	_ = mo.room.Xfer() // an error only once the room is closed
	for ev := mo.room.Get(); ev != nil; ev = mo.room.Get() {
		switch ev := ev.(type) {
		case room.Joined:
			mb := member{key: roomKey(ev.Peer), addr: ev.Addr}
			mo.members[ev.Peer] = mb
			mo.log.Debug("cpumon: peer ready", "peer", mb.key, "addr", mb.addr)
			if s := mo.coll.Latest(); s != nil {
				if err := mo.room.Send(ev.Peer, s); err != nil {
					mo.log.Debug("cpumon: sample not sent", "peer", mb.key, "err", err)
				}
			}
		case room.Message:
			if s, ok := ev.Msg.(*wire.MsgStats); ok { // else a built-in message: nothing to do
				mb := mo.members[ev.Peer]
				mo.got(mb.key, mb.addr, s, now)
			}
		case room.Left:
			mb := mo.members[ev.Peer]
			delete(mo.members, ev.Peer)
			mo.gone(mb.key, mb.addr, ev.Reason, now)
		case room.Rejected:
			mo.log.Debug("cpumon: hello failed", "addr", ev.Addr, "err", ev.Reason)
		}
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
