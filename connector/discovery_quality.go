package connector

import (
	"math/bits"
	"net/netip"
	"time"
)

// Path is a way a peer was found.
type Path uint8

const (
	// PathBroadcast: a broadcast beacon.
	PathBroadcast Path = 1 << iota
	// PathDiscoverer: BroadcastConfig.Discovery (mDNS with package mdns).
	PathDiscoverer
	// PathRelay is reserved for peers found through a relay.
	PathRelay
)

// String returns "broadcast", "mdns" (the Discoverer), "relay", or the
// names joined by "+" for a set of paths; "" for none.
func (p Path) String() string {
	s := ""
	for _, x := range []struct {
		p    Path
		name string
	}{{PathBroadcast, "broadcast"}, {PathDiscoverer, "mdns"}, {PathRelay, "relay"}} {
		if p&x.p != 0 {
			if s != "" {
				s += "+"
			}
			s += x.name
		}
	}
	return s
}

// qualitySlots is the window of PeerDiscovery.Quality, in slots of
// qualitySlot(Interval).
const qualitySlots = 16

// qualitySlot is the length of one slot: 1.25 × Interval, longer than the
// longest gap between two beacons of a peer (Interval + 10 % jitter), so
// that a peer that loses nothing fills every slot.
func qualitySlot(interval time.Duration) time.Duration { return interval * 5 / 4 }

// peerDisc is what discovery knows of how a peer was found.
type peerDisc struct {
	first Path
	paths Path
	iface string // the interface of the subnet it was first heard on
	start int64  // the slot of the first beacon heard
	slot  int64  // the slot bit 0 of seen stands for
	seen  uint64 // bit i: a beacon was heard in slot (slot - i)
	count uint64 // broadcast beacons heard
}

// PeerDiscovery is how discovery sees one peer (BroadcastConnector.
// PeerDiscovery).
type PeerDiscovery struct {
	// First is the path that found the peer first; Paths every path it has
	// been found by since.
	First, Paths Path
	// Interface names the interface of the subnet whose broadcast the peer
	// was first heard on ("lo" with Loopback; "" when found by the
	// Discoverer first).
	Interface string
	// Beacons counts the broadcast beacons heard from the peer.
	Beacons uint64
	// Heard and Expected are the slots of 1.25 × Interval (the last up to
	// 16, those since the first beacon) in which a beacon was heard and
	// could have been: Quality is Heard / Expected, 1 for a peer that
	// loses no beacon, 0 for one gone silent (1 when no slot has passed
	// yet). A peer found by the Discoverer only has no Expected.
	Heard, Expected int
	Quality         float64
	// LastHeard is when the peer was last heard by any path.
	LastHeard time.Time
}

// PeerDiscovery returns how discovery sees the peer with id (native mode),
// and false when the peer is not in the peer table (never heard, or
// forgotten: expired, or dropped after discovery ended). It takes the
// connector's lock for a moment, never blocks on the network and never
// allocates.
func (c *BroadcastConnector) PeerDiscovery(id PeerID) (PeerDiscovery, bool) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.peers[peerKey{id: id}]
	if e == nil || e.disc.paths == 0 {
		return PeerDiscovery{}, false
	}
	d := &e.disc
	pd := PeerDiscovery{First: d.first, Paths: d.paths, Interface: d.iface, Beacons: d.count, LastHeard: e.lastHeard}
	pd.Heard, pd.Expected = d.window(c.slotOf(now))
	pd.Quality = 1
	if pd.Expected > 0 {
		pd.Quality = float64(pd.Heard) / float64(pd.Expected)
	}
	return pd, true
}

// slotOf returns the quality slot of t.
func (c *BroadcastConnector) slotOf(t time.Time) int64 {
	return t.UnixNano() / int64(qualitySlot(c.cfg.Interval))
}

// window counts the complete slots before now since the first beacon (at
// most qualitySlots) and those of them with a beacon.
func (d *peerDisc) window(now int64) (heard, expected int) {
	if d.count == 0 {
		return 0, 0
	}
	expected = int(min(now-d.start, qualitySlots))
	if expected <= 0 {
		return 0, 0
	}
	// Slots now-expected .. now-1 are bits (d.slot-now+1) .. (d.slot-now+expected).
	shift := now - 1 - d.slot // how far bit 0 lies before slot now-1
	if shift >= 64 {
		return 0, expected
	}
	seen := d.seen << uint(max(shift, 0)) >> uint(max(-shift, 0))
	mask := uint64(1)<<uint(expected) - 1
	return bits.OnesCount64(seen & mask), expected
}

// notePathLocked records that the peer with key was heard from ip by path
// (a beacon of kind beacon or quiet, or a sighting). The entry, if any, is
// the one onBeaconLocked has just updated.
func (c *BroadcastConnector) notePathLocked(key peerKey, path Path, ip netip.Addr, now time.Time) {
	e := c.peers[key]
	if e == nil {
		return
	}
	d := &e.disc
	if d.paths == 0 {
		d.first = path
		if path == PathBroadcast {
			d.iface = c.ifaceForLocked(ip)
		}
	}
	d.paths |= path
	if path != PathBroadcast {
		return
	}
	d.heard(c.slotOf(now))
}

// heard counts a broadcast beacon heard in slot s: it moves the window of
// seen to s (slots are never earlier than the last) and marks s.
func (d *peerDisc) heard(s int64) {
	if d.count == 0 {
		d.start, d.slot = s, s
	}
	if n := s - d.slot; n > 0 {
		if n >= 64 {
			d.seen = 0
		} else {
			d.seen <<= uint(n)
		}
		d.slot = s
	}
	d.seen |= 1
	d.count++
}

// ifaceForLocked names the interface of the broadcast subnet ip is on
// (the names are cached per interface list; see targetLabels).
func (c *BroadcastConnector) ifaceForLocked(ip netip.Addr) string {
	if c.cfg.Loopback {
		return "lo"
	}
	ns := c.nets.Load()
	if ns == nil {
		return ""
	}
	for _, p := range ns.nets {
		if !p.Contains(ip) {
			continue
		}
		for _, t := range c.targetLabels() {
			if targetOf(p) == t.Broadcast {
				return t.Interface
			}
		}
	}
	return ""
}

// targetOf returns the broadcast address of subnet p.
func targetOf(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := ^uint32(0) >> uint(p.Bits())
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
