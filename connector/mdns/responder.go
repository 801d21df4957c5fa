package mdns

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

// The responder answers queries for this connector's records as RFC 6762
// asks where real browsers (avahi, Bonjour) notice. hashicorp/mdns's server
// (v1.0.7) is not used for this: it sends every answer unicast to the asker
// only, with the default IP TTL 64 (an avahi with check-response-ttl drops
// them all, §11 wants 255), and sends no goodbye. Its MDNSService still
// builds the records. What the responder does:
//
//   - one socket on 0.0.0.0:5353 (shared with the host's other responders
//     through SO_REUSEADDR/SO_REUSEPORT) that joins 224.0.0.251 on each
//     interface served; each query is answered with the records of the
//     interface it arrived on (IP_PKTINFO), so a multi-homed host never
//     advertises addresses of another subnet;
//   - IP TTL and multicast TTL 255 on everything it sends (§11);
//   - a query from port 5353 is answered by multicast to 224.0.0.251 on the
//     arrival interface, or unicast to the asker when the question has the
//     unicast-response (QU) bit or the query came unicast (§5.4, §6); a
//     query from another port ("legacy unicast", §6.7, what our own querier
//     sends) is answered unicast with the query's id and question and
//     record TTLs of at most 10 s;
//   - answers the asker lists as known with at least half their TTL left
//     are left out (known-answer suppression, §7.1); unique records (SRV,
//     TXT, A) carry the cache-flush bit in multicast answers (§10.2), so a
//     browser replaces the TXT when it changes to quiet=1;
//   - two announcements 1 s apart when an interface is added and one when
//     the records change (§8.3), and goodbyes (every record with TTL 0,
//     §10.1) when an interface's records are withdrawn and on Close;
//   - multicast answers at most once a second per interface (§6; answers
//     asked for meanwhile are merged and sent when the second is up), so a
//     query flood gets one answer a second; queries from addresses off the
//     interface's subnets are not answered (§11).
//
// Left out: probing and conflict resolution (§8.1, §9: names carry the
// random 64-bit peer id), the 20–120 ms delay of shared answers (§6),
// truncated known-answer lists (§7.2), and IPv6.

// mdnsPort is the mDNS port.
const mdnsPort = 5353

var mdnsGroupAP = netip.AddrPortFrom(netip.AddrFrom4([4]byte{224, 0, 0, 251}), mdnsPort)

const (
	// legacyTTL caps record TTLs in answers to legacy unicast queries (§6.7).
	legacyTTL = 10
	// cacheFlush is the cache-flush bit of a record's class (§10.2), and
	// the unicast-response bit of a question's class (§5.4).
	cacheFlush = 1 << 15
)

// zone is what the responder serves on one interface.
type zone struct {
	ifc  net.Interface
	nets []netip.Prefix
	key  string // interface name and addresses: a change replaces the zone
	svc  atomic.Pointer[mdns.MDNSService]

	// Guarded by responder.mu: multicast answers go at most once a second
	// (§6); those asked for meanwhile are merged into pend and sent when
	// the second is up.
	lastMcast time.Time
	pend      *dns.Msg
}

// responder answers mDNS queries on the interfaces of its zones.
type responder struct {
	conn *net.UDPConn
	pc   *ipv4.PacketConn
	log  *slog.Logger
	wg   sync.WaitGroup

	mu     sync.Mutex // guards zones, closed and writes to conn
	zones  map[int]*zone
	closed bool
	timers map[*time.Timer]struct{} // second announcements and held-back answers pending
}

// newResponder opens the responder's socket and starts its reader.
func newResponder(log *slog.Logger) (*responder, error) {
	lc := net.ListenConfig{Control: reuseControl}
	c, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:5353")
	if err != nil {
		return nil, err
	}
	conn := c.(*net.UDPConn)
	pc := ipv4.NewPacketConn(conn)
	for _, set := range []func() error{
		func() error { return pc.SetMulticastTTL(255) },
		func() error { return pc.SetTTL(255) },
		func() error { return pc.SetMulticastLoopback(true) }, // other instances on this host hear us
	} {
		if err := set(); err != nil {
			conn.Close()
			return nil, err
		}
	}
	if err := pc.SetControlMessage(ipv4.FlagInterface|ipv4.FlagDst, true); err != nil {
		log.Debug("connector: mdns: no IP_PKTINFO: queries are matched to interfaces by source address", "err", err)
	}
	r := &responder{conn: conn, pc: pc, log: log, zones: map[int]*zone{}, timers: map[*time.Timer]struct{}{}}
	r.wg.Add(1)
	go r.readLoop()
	return r, nil
}

// add serves z on its interface: joins the group there and announces.
func (r *responder) add(z *zone) error {
	if err := r.pc.JoinGroup(&z.ifc, &net.UDPAddr{IP: mdnsGroupAP.Addr().AsSlice()}); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.zones[z.ifc.Index] = z
	r.announceLocked(z)
	var t *time.Timer
	t = time.AfterFunc(time.Second, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.timers, t)
		if !r.closed && r.zones[z.ifc.Index] == z {
			r.announceLocked(z)
		}
	})
	r.timers[t] = struct{}{}
	return nil
}

// remove withdraws z: goodbye, leave the group.
func (r *responder) remove(z *zone) {
	r.mu.Lock()
	if r.zones[z.ifc.Index] == z {
		delete(r.zones, z.ifc.Index)
		r.goodbyeLocked(z)
	}
	r.mu.Unlock()
	_ = r.pc.LeaveGroup(&z.ifc, &net.UDPAddr{IP: mdnsGroupAP.Addr().AsSlice()})
}

// update swaps z's records and announces the new ones.
func (r *responder) update(z *zone, svc *mdns.MDNSService) {
	z.svc.Store(svc)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed && r.zones[z.ifc.Index] == z {
		r.announceLocked(z)
	}
}

// close says goodbye on every interface and stops the reader.
func (r *responder) close() {
	r.mu.Lock()
	r.closed = true
	for t := range r.timers {
		t.Stop()
	}
	clear(r.timers)
	for _, z := range r.zones {
		r.goodbyeLocked(z)
	}
	clear(r.zones)
	r.mu.Unlock()
	r.conn.Close()
	r.wg.Wait()
}

// allRecords is every record of svc, as an announcement carries them.
func allRecords(svc *mdns.MDNSService) []dns.RR {
	name := strings.ToLower(strings.Trim(svc.Service, ".") + "." + strings.Trim(svc.Domain, ".") + ".")
	return svc.Records(dns.Question{Name: name, Qtype: dns.TypePTR, Qclass: dns.ClassINET})
}

// announceLocked multicasts every record of z (§8.3); a pending answer is
// covered by it.
func (r *responder) announceLocked(z *zone) {
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Response: true, Authoritative: true}, Compress: true}
	for _, rr := range allRecords(z.svc.Load()) {
		setCacheFlush(rr)
		m.Answer = append(m.Answer, rr)
	}
	z.lastMcast, z.pend = time.Now(), nil
	r.sendLocked(m, z, mdnsGroupAP)
}

func (r *responder) goodbyeLocked(z *zone) {
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Response: true, Authoritative: true}, Compress: true}
	for _, rr := range allRecords(z.svc.Load()) {
		rr.Header().Ttl = 0
		m.Answer = append(m.Answer, rr)
	}
	r.sendLocked(m, z, mdnsGroupAP)
}

// sendLocked sends m to dst, out of z's interface when dst is the group.
func (r *responder) sendLocked(m *dns.Msg, z *zone, dst netip.AddrPort) {
	b, err := m.Pack()
	if err != nil {
		r.log.Debug("connector: mdns: cannot pack an answer", "err", err)
		return
	}
	if dst == mdnsGroupAP {
		if err := r.pc.SetMulticastInterface(&z.ifc); err != nil {
			r.log.Debug("connector: mdns: multicast interface", "interface", z.ifc.Name, "err", err)
			return
		}
	}
	if _, err := r.conn.WriteToUDPAddrPort(b, dst); err != nil && !errors.Is(err, net.ErrClosed) {
		r.log.Debug("connector: mdns: answer not sent", "to", dst, "interface", z.ifc.Name, "err", err)
	}
}

// readLoop answers queries until the socket is closed.
func (r *responder) readLoop() {
	defer r.wg.Done()
	buf := make([]byte, 9000)
	for {
		n, cm, from, err := r.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.log.Debug("connector: mdns: read", "err", err)
			continue
		}
		ua, ok := from.(*net.UDPAddr)
		if !ok {
			continue
		}
		src := ua.AddrPort()
		src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
		var q dns.Msg
		if q.Unpack(buf[:n]) != nil {
			continue // not DNS: ignored
		}
		ifIndex, multicast := 0, true
		if cm != nil {
			ifIndex = cm.IfIndex
			multicast = cm.Dst == nil || cm.Dst.IsMulticast()
		}
		r.mu.Lock()
		if z := r.zoneForLocked(ifIndex, src.Addr()); z != nil && !r.closed && onLink(z, src.Addr()) {
			for _, rep := range answer(&q, src, multicast, z.svc.Load()) {
				if rep.to == mdnsGroupAP {
					r.multicastLocked(z, rep.msg)
				} else {
					r.sendLocked(rep.msg, z, rep.to)
				}
			}
		}
		r.mu.Unlock()
	}
}

// onLink reports whether src is on one of z's subnets: queries from
// elsewhere are not answered (§11), so the responder cannot be used to
// send answers to off-link addresses.
func onLink(z *zone, src netip.Addr) bool {
	for _, p := range z.nets {
		if p.Contains(src) {
			return true
		}
	}
	return false
}

// multicastLocked sends a multicast answer on z's interface now, or, when
// the last one went less than a second ago (§6: a record is multicast at
// most once a second per interface; a query flood gets one answer a
// second), merges it into the pending answer sent when the second is up.
func (r *responder) multicastLocked(z *zone, m *dns.Msg) {
	now := time.Now()
	if wait := z.lastMcast.Add(time.Second).Sub(now); wait > 0 {
		if z.pend != nil {
			mergeMsg(z.pend, m)
			return
		}
		z.pend = m
		var t *time.Timer
		t = time.AfterFunc(wait, func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			delete(r.timers, t)
			p := z.pend
			z.pend = nil
			if !r.closed && r.zones[z.ifc.Index] == z && p != nil {
				z.lastMcast = time.Now()
				r.sendLocked(p, z, mdnsGroupAP)
			}
		})
		r.timers[t] = struct{}{}
		return
	}
	z.lastMcast = now
	r.sendLocked(m, z, mdnsGroupAP)
}

// mergeMsg adds the answers and additional records of m that dst lacks.
func mergeMsg(dst, m *dns.Msg) {
	for _, rr := range m.Answer {
		if !containsRR(dst.Answer, rr) {
			dst.Answer = append(dst.Answer, rr)
		}
	}
	for _, rr := range m.Extra {
		if !containsRR(dst.Answer, rr) && !containsRR(dst.Extra, rr) {
			dst.Extra = append(dst.Extra, rr)
		}
	}
}

// zoneForLocked finds the zone of the arrival interface, or (without
// IP_PKTINFO) the one whose subnets hold the source address.
func (r *responder) zoneForLocked(ifIndex int, src netip.Addr) *zone {
	if ifIndex != 0 {
		return r.zones[ifIndex]
	}
	for _, z := range r.zones {
		for _, p := range z.nets {
			if p.Contains(src) {
				return z
			}
		}
	}
	return nil
}

// reply is one response to send.
type reply struct {
	msg *dns.Msg
	to  netip.AddrPort // mdnsGroupAP for a multicast answer
}

// answer builds the responses to query, which came from src by multicast
// (or unicast), with svc's records: none, one or two (a multicast and a
// unicast one).
func answer(query *dns.Msg, src netip.AddrPort, multicast bool, svc *mdns.MDNSService) []reply {
	if query.Response || query.Opcode != dns.OpcodeQuery || len(query.Question) == 0 {
		return nil
	}
	legacy := src.Port() != mdnsPort
	var mAns, uAns []dns.RR   // answers to send by multicast, by unicast
	var mHave, uHave []dns.RR // every record placed in each (answers and extras)
	var mExtra, uExtra []dns.RR
	for _, q := range query.Question {
		unicast := legacy || !multicast || q.Qclass&cacheFlush != 0
		q.Qclass &^= cacheFlush
		if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
			continue
		}
		q.Qclass = dns.ClassINET
		q.Name = strings.ToLower(q.Name)
		for _, rr := range svc.Records(q) {
			h := rr.Header()
			direct := strings.EqualFold(h.Name, q.Name) && (q.Qtype == dns.TypeANY || h.Rrtype == q.Qtype)
			if direct && knownAnswer(query.Answer, rr) {
				continue
			}
			ans, extra, have := &mAns, &mExtra, &mHave
			if unicast {
				ans, extra, have = &uAns, &uExtra, &uHave
			}
			if containsRR(*have, rr) {
				continue
			}
			*have = append(*have, rr)
			if direct {
				*ans = append(*ans, rr)
			} else {
				*extra = append(*extra, rr)
			}
		}
	}
	var out []reply
	if len(mAns) > 0 {
		m := &dns.Msg{MsgHdr: dns.MsgHdr{Response: true, Authoritative: true}, Compress: true, Answer: mAns, Extra: mExtra}
		for _, rr := range mHave {
			setCacheFlush(rr)
		}
		out = append(out, reply{msg: m, to: mdnsGroupAP})
	}
	if len(uAns) > 0 {
		m := &dns.Msg{MsgHdr: dns.MsgHdr{Id: query.Id, Response: true, Authoritative: true}, Compress: true, Answer: uAns, Extra: uExtra}
		for _, rr := range uHave {
			if legacy {
				rr.Header().Ttl = min(rr.Header().Ttl, legacyTTL)
			} else {
				setCacheFlush(rr)
			}
		}
		if legacy {
			m.Question = query.Question // §6.7: repeat the question
		}
		out = append(out, reply{msg: m, to: src})
	}
	return out
}

// knownAnswer reports whether the asker listed rr as known with at least
// half its TTL left (§7.1).
func knownAnswer(known []dns.RR, rr dns.RR) bool {
	for _, k := range known {
		if k.Header().Ttl >= rr.Header().Ttl/2 && sameRR(k, rr) {
			return true
		}
	}
	return false
}

func containsRR(rrs []dns.RR, rr dns.RR) bool {
	for _, x := range rrs {
		if sameRR(x, rr) {
			return true
		}
	}
	return false
}

// sameRR compares name, type, class (without the cache-flush bit) and data.
func sameRR(a, b dns.RR) bool {
	ha, hb := a.Header(), b.Header()
	if ha.Rrtype != hb.Rrtype || ha.Class&^cacheFlush != hb.Class&^cacheFlush || !strings.EqualFold(ha.Name, hb.Name) {
		return false
	}
	return dns.IsDuplicate(a, b)
}

// setCacheFlush sets the cache-flush bit on a unique record (not on the
// shared PTR).
func setCacheFlush(rr dns.RR) {
	if h := rr.Header(); h.Rrtype != dns.TypePTR {
		h.Class |= cacheFlush
	}
}
