package connector

import (
	"net/netip"
	"time"
)

// Bounds against hostile or broken peers on the LAN. A beacon is an
// unauthenticated datagram and the identify exchange proves only that the
// other side speaks the protocol, so the connector spends nothing on a
// stranger that a few datagrams or idle connections could multiply:
//
//   - Peer table (MaxPeers entries): when it is full, or one source address
//     holds maxEntriesPerIP entries (loopback addresses are exempt: they are
//     heard only with Loopback, from this host's own processes, as the
//     kernel drops LAN packets that claim a loopback source), an unproven
//     entry makes room: first the
//     stalest one that is neither connected nor being dialed, then the
//     oldest connection whose peer never sent a beacon (dropped with
//     ErrEvicted). Proven peers (connected and heard) are never evicted.
//   - Connections whose peer never sends a beacon are dropped with
//     ErrPeerTimeout PeerTimeout after they were made (native mode, while
//     discovery runs).
//   - Connections: at most BroadcastConfig.MaxConns at once; a peer heard in
//     a beacon may evict a connection that never beaconed, anything else is
//     rejected ("peer table full") until the peer is heard.
//   - Identify exchanges: 32 in flight; once half of them are taken, at
//     most maxIdentifyPerIP from one source address, the others are closed
//     at once. (Many instances on one host are not slowed down while there
//     is room; loopback addresses are exempt from the per-address bounds of
//     identify exchanges and dials: they are this host's own processes,
//     as the kernel drops LAN packets that claim a loopback source.)
//   - Dials: 16 in flight; once half of them are taken, at most
//     maxDialsPerIP to one address; and at most
//     dialBurst attempts, then one per dialRefill, to one address and port,
//     whatever the beacons say (a forged beacon names any address: this
//     bounds the connections it can reflect onto a third host). One
//     datagram never starts more than one dial.
const (
	maxEntriesPerIP  = 64
	maxIdentifyPerIP = 8
	maxDialsPerIP    = 8
	dialBurst        = 2
	dialRefill       = 500 * time.Millisecond
	maxDialTargets   = 4 * MaxPeers // dial-rate entries; beyond, dials to new targets wait
)

// dialBucket is the dial allowance of one target address and port: a token
// bucket of dialBurst tokens refilled one per dialRefill.
type dialBucket struct {
	tokens float64
	last   time.Time
}

// newEntryLocked adds a peer-table entry for key, heard from or connecting
// from src, making room as described above. It returns nil (and counts a
// drop) when no unproven entry can make room.
func (c *BroadcastConnector) newEntryLocked(key peerKey, src netip.Addr, now time.Time) *peerEntry {
	same := 0
	for _, e := range c.peers {
		if e.src == src {
			same++
		}
	}
	if same >= maxEntriesPerIP && !src.IsLoopback() && !c.evictLocked(src, true, now) {
		c.stats.droppedFull.Add(1)
		return nil
	}
	if len(c.peers) >= MaxPeers && !c.evictLocked(netip.Addr{}, false, now) {
		c.stats.droppedFull.Add(1)
		return nil
	}
	e := &peerEntry{key: key, src: src, created: now}
	c.peers[key] = e
	return e
}

// evictLocked removes one unproven entry (of source src when onlySrc):
// the stalest one not connected and not being dialed, else the oldest
// connection of a peer never heard in a beacon. It reports whether one
// went.
func (c *BroadcastConnector) evictLocked(src netip.Addr, onlySrc bool, now time.Time) bool {
	var idle, conn *peerEntry
	for _, e := range c.peers {
		if onlySrc && e.src != src {
			continue
		}
		switch {
		case e.conn == nil && !e.dialing:
			if idle == nil || e.seen().Before(idle.seen()) {
				idle = e
			}
		case e.conn != nil && c.unprovenConn(e):
			if conn == nil || e.connectedAt.Before(conn.connectedAt) {
				conn = e
			}
		}
	}
	switch {
	case idle != nil:
		delete(c.peers, idle.key)
	case conn != nil:
		c.dropLocked(conn, ErrEvicted)
		delete(c.peers, conn.key)
	default:
		return false
	}
	c.stats.evicted.Add(1)
	return true
}

// seen is when e was last heard, or made.
func (e *peerEntry) seen() time.Time {
	if e.lastHeard.After(e.created) {
		return e.lastHeard
	}
	return e.created
}

// unprovenConn reports whether e's connection belongs to a peer never heard
// in a beacon (native mode: compat peers have nothing else to prove).
func (c *BroadcastConnector) unprovenConn(e *peerEntry) bool {
	return !c.cfg.Compat && !e.heard && !e.quiet && e.leftAt.IsZero()
}

// roomForConnLocked makes room for one more connection, for e, when
// MaxConns are connected: a peer heard in a beacon may evict the oldest
// connection that never beaconed. It reports whether e may connect.
func (c *BroadcastConnector) roomForConnLocked(e *peerEntry) bool {
	if e.conn != nil || c.nconns < c.cfg.MaxConns {
		return true
	}
	if !e.heard {
		return false
	}
	var victim *peerEntry
	for _, o := range c.peers {
		if o.conn != nil && c.unprovenConn(o) && (victim == nil || o.connectedAt.Before(victim.connectedAt)) {
			victim = o
		}
	}
	if victim == nil {
		return false
	}
	c.dropLocked(victim, ErrEvicted)
	delete(c.peers, victim.key)
	c.stats.evicted.Add(1)
	return true
}

// dialAllowedLocked takes a dial token of target and a dial slot of its
// address; it reports false (and counts it) when either is used up.
func (c *BroadcastConnector) dialAllowedLocked(target netip.AddrPort, now time.Time) bool {
	if c.dialsPerIP[target.Addr()] >= maxDialsPerIP && len(c.dialSem) > cap(c.dialSem)/2 && !target.Addr().IsLoopback() {
		c.stats.dialsLimited.Add(1)
		return false
	}
	b := c.dialBuckets[target]
	if b == nil {
		if len(c.dialBuckets) >= maxDialTargets {
			c.stats.dialsLimited.Add(1)
			return false
		}
		b = &dialBucket{tokens: dialBurst, last: now}
		c.dialBuckets[target] = b
	}
	b.tokens = min(dialBurst, b.tokens+float64(now.Sub(b.last))/float64(dialRefill))
	b.last = now
	if b.tokens < 1 {
		c.stats.dialsLimited.Add(1)
		return false
	}
	b.tokens--
	c.dialsPerIP[target.Addr()]++
	return true
}

// dialDoneLocked gives back the dial slot of target's address.
func (c *BroadcastConnector) dialDoneLocked(target netip.AddrPort) {
	if c.dialsPerIP[target.Addr()]--; c.dialsPerIP[target.Addr()] <= 0 {
		delete(c.dialsPerIP, target.Addr())
	}
}

// pruneDialBucketsLocked forgets targets whose allowance is full again.
func (c *BroadcastConnector) pruneDialBucketsLocked(now time.Time) {
	for t, b := range c.dialBuckets {
		if now.Sub(b.last) >= dialBurst*dialRefill {
			delete(c.dialBuckets, t)
		}
	}
}

// identifySlotLocked takes one of src's identify slots.
func (c *BroadcastConnector) identifySlotLocked(src netip.Addr) bool {
	if c.hsPerIP[src] >= maxIdentifyPerIP && len(c.hsSem) >= cap(c.hsSem)/2 && !src.IsLoopback() {
		return false
	}
	c.hsPerIP[src]++
	return true
}

func (c *BroadcastConnector) identifyDoneLocked(src netip.Addr) {
	if c.hsPerIP[src]--; c.hsPerIP[src] <= 0 {
		delete(c.hsPerIP, src)
	}
}
