package connector

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Secured mode (BroadcastConfig.Secured) and join codes (Nameplate, Join).
//
// A beacon is an unauthenticated datagram: anyone on the LAN can send one
// with any id, port, name or nameplate. When the application proves every
// connection itself (package room runs a CPace handshake with a code or a
// password on each), the connector treats what beacons say as hints:
//
//   - A goodbye beacon of a connected peer drops nothing (counted in
//     BroadcastStats.HintsIgnored); a peer that stops beaconing is not
//     dropped either. The application's sealed channel says when a peer
//     is gone: its goodbye inside the channel, or the Messenger's pings
//     (ErrPeerTimeout). The connection's own end (FIN, reset, keepalive)
//     still drops it.
//   - A peer id is bound to the first connection made under it: a second
//     connection claiming a connected id is refused (the identify exchange
//     says duplicate) or closed, never handed out in place of the first,
//     until the first has ended. A forged beacon with a connected peer's id
//     and a stranger's port makes nobody dial the stranger.
//   - OneToOne ends discovery when the application calls Paired (after
//     its handshake succeeded), not at the first connection, so the first
//     stranger to answer cannot take the slot.
//   - Incoming hellos are rate-limited per source address (helloBurst,
//     then one per helloRefill; loopback exempt, as for the other
//     per-address bounds), on top of the limits of "Limits".
//
// Display names, metadata and nameplates are self-declared: a PAKE proves
// a code or password, nothing else.
const (
	helloBurst  = 8
	helloRefill = 250 * time.Millisecond
)

// NameplateSetter is implemented by a DiscoverySession that can change
// the nameplate it announces (SetNameplate calls it); the mdns package's
// does.
type NameplateSetter interface {
	SetNameplate(n int)
}

// SetNameplate changes the nameplate this connector offers
// (BroadcastConfig.Nameplate): the next beacon, sent at once, carries n
// (0: none), and so does the Discovery's announcement if its session is a
// NameplateSetter. Hellos that join another nameplate are refused from
// now on. It fails with ErrInvalidConfig for n outside 0..MaxNameplate,
// in compat mode or while joining.
func (c *BroadcastConnector) SetNameplate(n int) error {
	c.mu.Lock()
	if n < 0 || n > MaxNameplate || c.cfg.Compat || n != 0 && c.join != 0 {
		c.mu.Unlock()
		return fmt.Errorf("%w: SetNameplate(%d)", ErrInvalidConfig, n)
	}
	c.np.Store(uint32(n))
	sess := c.discovery
	c.mu.Unlock()
	if ns, ok := sess.(NameplateSetter); ok {
		ns.SetNameplate(n)
	}
	c.requestBeacon()
	return nil
}

// SetJoin changes BroadcastConfig.Join: n > 0 joins nameplate n (dial only
// the peer offering it, accept nothing), 0 ends joining (dial and accept
// as usual: the application got in and now takes connections from the
// other members). It fails with ErrInvalidConfig for n outside
// 0..MaxNameplate or on a connector that offers a Nameplate.
func (c *BroadcastConnector) SetJoin(n int) error {
	c.mu.Lock()
	if n < 0 || n > MaxNameplate || n != 0 && c.np.Load() != 0 || c.cfg.Compat {
		c.mu.Unlock()
		return fmt.Errorf("%w: SetJoin(%d)", ErrInvalidConfig, n)
	}
	c.join = uint16(n)
	now := time.Now()
	var dial []*peerEntry
	for _, e := range c.peers {
		if e.conn == nil && c.shouldDialLocked(e, now) {
			dial = append(dial, e)
		}
	}
	for _, e := range dial {
		c.startDialLocked(e)
	}
	c.mu.Unlock()
	c.requestBeacon()
	return nil
}

// Paired ends discovery as a OneToOne connector does at its first
// connection when it is not Secured: beacons turn quiet, nothing more is
// dialed or accepted, connections stay. A Secured application calls it
// once its handshake with the peer succeeded. It does nothing when
// discovery has ended already.
func (c *BroadcastConnector) Paired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateStarted {
		c.endDiscoveryLocked(kindQuiet)
	}
}

// Nameplates returns the nameplates offered in the beacons of the
// application's peers heard now (the connector's table), sorted, without
// duplicates: the ones in use, for joincode.LowestFree.
func (c *BroadcastConnector) Nameplates() []int {
	c.mu.Lock()
	var out []int
	for _, e := range c.peers {
		if e.heard && e.np != 0 {
			out = append(out, int(e.np))
		}
	}
	c.mu.Unlock()
	slices.Sort(out)
	return slices.Compact(out)
}

// NameplatePeers returns the ids of the application's peers whose last
// beacon heard offered nameplate n (the connector's table), sorted: more
// than one, or one beside this connector's own nameplate, is a clash
// (package room settles it: the host with the higher id moves).
func (c *BroadcastConnector) NameplatePeers(n int) []PeerID {
	if n <= 0 || n > MaxNameplate {
		return nil
	}
	c.mu.Lock()
	var out []PeerID
	for k, e := range c.peers {
		if e.heard && int(e.np) == n {
			out = append(out, k.id)
		}
	}
	c.mu.Unlock()
	slices.Sort(out)
	return out
}

// helloAllowedLocked takes a hello token of src (Secured).
func (c *BroadcastConnector) helloAllowedLocked(src netip.Addr, now time.Time) bool {
	if src.IsLoopback() {
		return true
	}
	b := c.helloBuckets[src]
	if b == nil {
		if len(c.helloBuckets) >= maxDialTargets {
			return false
		}
		b = &dialBucket{tokens: helloBurst, last: now}
		c.helloBuckets[src] = b
	}
	b.tokens = min(helloBurst, b.tokens+float64(now.Sub(b.last))/float64(helloRefill))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// pruneHelloBucketsLocked forgets sources whose allowance is full again.
func (c *BroadcastConnector) pruneHelloBucketsLocked(now time.Time) {
	for s, b := range c.helloBuckets {
		if now.Sub(b.last) >= helloBurst*helloRefill {
			delete(c.helloBuckets, s)
		}
	}
}
