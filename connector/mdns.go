package connector

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
)

// mDNS discovery (BroadcastConfig.MDNS) with github.com/hashicorp/mdns.
//
// Each connector advertises the DNS-SD service "_cablecar._tcp.local." on
// every up, multicast-capable IPv4 interface (Interfaces restricts them),
// with one responder per interface whose records carry only that
// interface's addresses: instance "<peer id>-<interface>", host
// "<peer id>.local.", SRV port = the TCP port, TXT records
//
//	v=1  app=<application id>  id=<peer id, 16 hex digits>  name=<display name>
//	quiet=1   (only once discovery has ended: do not dial, do not expire)
//
// Every Interval it browses on each interface with the querier of
// mdns_query.go (IPv4, one socket per interface and query) and treats each
// complete answer of its application, with an address on the querying interface's
// subnets, like a beacon: same peer table, same dial rule, same identify
// exchange, so a peer found by both broadcast and mDNS is one peer. The
// library keeps no state between queries; entries expire here, after
// PeerTimeout without an answer. Left as they are: the responder sends no
// goodbye (a stopped peer is dropped when its connection closes), and every
// responder on a host answers a query that reaches any of them (answers
// with addresses outside the querying interface's subnets are dropped).
const mdnsService = "_cablecar._tcp"

// mdnsResponder is one interface's responder.
type mdnsResponder struct {
	server *mdns.Server
	zone   *mdnsZone
	key    string // interface name and addresses: a change restarts it
}

// mdnsZone serves one MDNSService that can be swapped atomically (to mark
// it quiet).
type mdnsZone struct {
	svc atomic.Pointer[mdns.MDNSService]
}

func (z *mdnsZone) Records(q dns.Question) []dns.RR { return z.svc.Load().Records(q) }

// mdnsIface is an interface mDNS runs on.
type mdnsIface struct {
	ifc  net.Interface
	ips  []net.IP
	nets []netip.Prefix
	key  string
}

// mdnsInterfaces picks the up, multicast-capable, non-loopback interfaces
// with IPv4 addresses (named in names, when not empty).
func mdnsInterfaces(ifs []ifaceInfo, names []string) []mdnsIface {
	var out []mdnsIface
	for _, ifc := range ifs {
		if ifc.flags&net.FlagUp == 0 || ifc.flags&net.FlagMulticast == 0 || ifc.flags&net.FlagLoopback != 0 {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, ifc.name) {
			continue
		}
		m := mdnsIface{ifc: ifc.ifc, key: ifc.name}
		for _, p := range ipv4Subnets(ifc.addrs) {
			m.ips = append(m.ips, p.Addr().AsSlice())
			m.nets = append(m.nets, p.Masked())
			m.key += " " + p.String()
		}
		if len(m.ips) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// mdnsLogger adapts the library's *log.Logger to ours (debug level).
func (c *BroadcastConnector) mdnsLogger() *log.Logger {
	if c.cfg.Logger == nil {
		return log.New(io.Discard, "", 0)
	}
	return log.New(slogWriter{c.log}, "", 0)
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(b []byte) (int, error) {
	w.l.Debug("connector: mdns: " + strings.TrimSpace(string(b)))
	return len(b), nil
}

// mdnsLoop is the mDNS discovery goroutine: it keeps one responder per
// interface and browses every Interval, until discovery ends. The
// responders stay until Stop (marked quiet when discovery ended first), so
// connected peers do not expire this one.
func (c *BroadcastConnector) mdnsLoop() {
	defer c.discWG.Done()
	ctx := c.discCtx
	logger := c.mdnsLogger()
	var ifaces []mdnsIface
	var lastRefresh time.Time
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			c.mu.Lock()
			final := c.finalKind
			c.mu.Unlock()
			if final == kindQuiet {
				for _, r := range c.mdnsResponders {
					r.zone.svc.Store(c.mdnsServiceFor(r.zone.svc.Load().IPs, r.zone.svc.Load().Instance, true))
				}
			}
			return
		case <-timer.C:
		}
		if time.Since(lastRefresh) >= c.cfg.InterfaceRefresh {
			lastRefresh = time.Now()
			if ifs, err := listInterfaces(); err != nil {
				c.log.Warn("connector: cannot read interfaces", "err", err)
			} else {
				ifaces = mdnsInterfaces(ifs, c.cfg.Interfaces)
				c.syncResponders(ifaces, logger)
			}
		}
		c.browse(ctx, ifaces)
		timer.Reset(c.cfg.Interval)
	}
}

// mdnsServiceFor builds the advertised service.
func (c *BroadcastConnector) mdnsServiceFor(ips []net.IP, instance string, quiet bool) *mdns.MDNSService {
	txt := []string{"v=" + strconv.Itoa(protocolVersion), "app=" + c.cfg.AppID, "id=" + c.id.String(), "name=" + c.cfg.Name}
	if quiet {
		txt = append(txt, "quiet=1")
	}
	svc, err := mdns.NewMDNSService(instance, mdnsService, "local.", c.id.String()+".local.",
		int(c.self.port), ips, txt)
	if err != nil {
		// Only on bad arguments, which the config check rules out.
		panic("connector: mdns service: " + err.Error())
	}
	return svc
}

// syncResponders starts a responder on each new interface and stops those
// of vanished or changed ones.
func (c *BroadcastConnector) syncResponders(ifaces []mdnsIface, logger *log.Logger) {
	want := make(map[string]mdnsIface, len(ifaces))
	for _, m := range ifaces {
		want[m.ifc.Name] = m
	}
	for name, r := range c.mdnsResponders {
		if m, ok := want[name]; !ok || m.key != r.key {
			_ = r.server.Shutdown()
			delete(c.mdnsResponders, name)
		}
	}
	for name, m := range want {
		if _, ok := c.mdnsResponders[name]; ok {
			continue
		}
		zone := &mdnsZone{}
		instance := c.id.String() + "-" + dnsLabel(name)
		zone.svc.Store(c.mdnsServiceFor(m.ips, instance, false))
		ifc := m.ifc
		srv, err := mdns.NewServer(&mdns.Config{Zone: zone, Iface: &ifc, Logger: logger})
		if err != nil {
			c.log.Warn("connector: mdns responder not started", "interface", name, "err", err)
			continue
		}
		c.mdnsResponders[name] = &mdnsResponder{server: srv, zone: zone, key: m.key}
		c.log.Debug("connector: mdns responder started", "interface", name, "ips", m.ips)
	}
}

// stopResponders shuts every responder down (Stop).
func (c *BroadcastConnector) stopResponders() {
	for name, r := range c.mdnsResponders {
		_ = r.server.Shutdown()
		delete(c.mdnsResponders, name)
	}
}

// dnsLabel keeps letters, digits and '-' of an interface name.
func dnsLabel(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

// browse queries every interface at once and handles the answers.
func (c *BroadcastConnector) browse(ctx context.Context, ifaces []mdnsIface) {
	timeout := min(max(c.cfg.Interval/4, 50*time.Millisecond), 250*time.Millisecond)
	var wg sync.WaitGroup
	for _, m := range ifaces {
		wg.Go(func() {
			answers, err := queryMDNS(ctx, m, timeout)
			if err != nil && ctx.Err() == nil {
				c.log.Debug("connector: mdns query failed", "interface", m.ifc.Name, "err", err)
			}
			for _, a := range answers {
				c.handleMDNSAnswer(a, m)
			}
		})
	}
	wg.Wait()
}

// handleMDNSAnswer treats one answer like a beacon.
func (c *BroadcastConnector) handleMDNSAnswer(a mdnsAnswer, m mdnsIface) {
	t, ok := parseTXT(a.txt)
	switch {
	case !ok || a.port == 0:
		c.stats.dropped.Add(1)
		return
	case t.id == c.id:
		return // ourselves
	case t.app != c.cfg.AppID:
		c.stats.droppedForeign.Add(1)
		return
	}
	// Every responder of a host answers a query that reaches any of them:
	// keep the address on the querying interface's subnets.
	var ip netip.Addr
	for _, x := range a.addrs {
		if inNets(m.nets, x) {
			ip = x
			break
		}
	}
	if !ip.IsValid() {
		c.stats.droppedForeign.Add(1)
		return
	}
	c.stats.beaconsReceived.Add(1)
	r := record{kind: kindBeacon, id: t.id, port: a.port, app: []byte(t.app), name: []byte(t.name)}
	if t.quiet {
		r.kind = kindQuiet
	}
	c.mu.Lock()
	c.onBeaconLocked(&r, ip)
	c.mu.Unlock()
}
