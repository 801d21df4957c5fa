package room

import (
	"errors"
	"fmt"
)

// ErrCompat: the method needs the room's control messages, which a room in
// compat mode (Config.Compat) never sends.
var ErrCompat = errors.New("room: not available in compat mode")

// refuseCompat returns an error wrapping ErrCompat for op in compat mode,
// nil otherwise.
func (r *Room) refuseCompat(op string) error {
	if !r.cfg.Compat {
		return nil
	}
	return fmt.Errorf("%w: %s needs room control messages, which cable_car peers do not know", ErrCompat, op)
}

// compatID draws the PeerID of a new compat connection (from any
// goroutine): the next of 1, 2, 3, ..., skipping this room's own id.
func (r *Room) compatID() PeerID {
	for {
		if id := PeerID(r.cseq.Add(1)); id != r.id {
			return id
		}
	}
}
