package connector

import "sync/atomic"

// BroadcastStats counts what a BroadcastConnector did since it was created.
type BroadcastStats struct {
	BeaconsSent     uint64 // beacon datagrams sent (one per target address)
	BeaconsReceived uint64 // valid beacons heard from other peers of the application
	Dropped         uint64 // datagrams dropped as garbage: bad magic, truncated, oversize, bad field, other version
	DroppedForeign  uint64 // valid beacons of another application, datagrams and connections from outside the chosen interfaces
	DroppedFull     uint64 // beacons of new peers dropped because the peer table held MaxPeers
	Evicted         uint64 // unproven peer-table entries removed to make room (see "Limits" in the package documentation)
	Dials           uint64 // TCP dials started
	DialsLimited    uint64 // dials not started: the target's dial allowance or its address's dial slots were used up
	DialFailures    uint64 // dials that failed or were rejected
	Rejected        uint64 // incoming connections rejected in the identify exchange
	Connects        uint64 // peers connected (OnConnect calls)
	Disconnects     uint64 // peers dropped (OnDisconnect calls)
	HintsIgnored    uint64 // Secured: goodbye beacons of connected peers taken as hints only (nothing dropped)
}

type stats struct {
	beaconsSent, beaconsReceived, dropped, droppedForeign, droppedFull atomic.Uint64
	dials, dialFailures, rejected, connects, disconnects               atomic.Uint64
	evicted, dialsLimited, hints                                       atomic.Uint64
}

// Stats returns the counters.
func (c *BroadcastConnector) Stats() BroadcastStats {
	s := &c.stats
	return BroadcastStats{
		BeaconsSent:     s.beaconsSent.Load(),
		BeaconsReceived: s.beaconsReceived.Load(),
		Dropped:         s.dropped.Load(),
		DroppedForeign:  s.droppedForeign.Load(),
		DroppedFull:     s.droppedFull.Load(),
		Evicted:         s.evicted.Load(),
		Dials:           s.dials.Load(),
		DialsLimited:    s.dialsLimited.Load(),
		DialFailures:    s.dialFailures.Load(),
		Rejected:        s.rejected.Load(),
		Connects:        s.connects.Load(),
		Disconnects:     s.disconnects.Load(),
		HintsIgnored:    s.hints.Load(),
	}
}
