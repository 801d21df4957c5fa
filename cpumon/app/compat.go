package app

import (
	"net"

	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// -compat mode: cable_car 1.0.1's cpu_mon says no hello and knows none of a
// room.Room's control messages (its pings, its goodbye), so the room runs
// in compat mode (room.Config.Compat), on cpu_mon's ports and interval. Two
// things differ from native mode, both here: a peer is keyed by its IP (as
// cable_car keys peers: compat peers have no id), and it is sent the
// samples without cpumon's extras.

// memberKey names the peer of ev in the host table and the -json output:
// its id, or in compat mode its IP address.
func (mo *monitor) memberKey(ev room.Joined) string {
	if !mo.opts.compat {
		return roomKey(ev.Peer)
	}
	if host, _, err := net.SplitHostPort(ev.Addr); err == nil {
		return host
	}
	return ev.Addr
}

// onWire is the message that carries s to the peers: s itself, or in
// compat mode the fields cpu_mon knows.
func (mo *monitor) onWire(s *wire.MsgStats) message.Message {
	if mo.opts.compat {
		return s.Compat()
	}
	return s
}
