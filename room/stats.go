package room

import "github.com/cablecar-go/cablecar/messenger"

// Stats fills s with the figures of peer id's Messenger as of now (see
// messenger.Stats: messages and bytes each way, rates, the write queue,
// frames skipped, and from the Messenger's pings the round trip, its
// variance, jitter and the peer's clock offset) and reports whether id is
// in the room; it leaves s alone when it is not. It never blocks and does
// not allocate (messenger.Messenger.ReadStats). Like Xfer it belongs to
// the game loop's goroutine.
func (r *Room) Stats(id PeerID, s *messenger.Stats) bool {
	p := r.byID[id]
	if p == nil {
		return false
	}
	p.m.ReadStats(s)
	return true
}
