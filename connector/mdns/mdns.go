package mdns

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/ifwatch"
	"github.com/cablecar-go/cablecar/internal/netif"
	"github.com/hashicorp/mdns"
)

// Each connector advertises the DNS-SD service "_cablecar._tcp.local." on
// every up, multicast-capable IPv4 interface (Announcement.Interfaces
// restricts them) through the responder of responder.go, with records that
// carry only that interface's addresses: instance "<peer id>-<interface>", host "<peer id>.local.", SRV
// port = the TCP port, TXT records
//
//	v=1  app=<application id>  id=<peer id, 16 hex digits>  name=<display name>
//	quiet=1   (only once discovery has ended: do not dial, do not expire)
//	np=<n>    (only with a join-code nameplate, BroadcastConfig.Nameplate: the number only, never a word)
//
// Every Interval it browses on each interface with the querier of
// mdns_query.go (IPv4, one socket per interface and query) and hands each
// complete answer of its application, with an address on the querying
// interface's subnets, to the connector as a Sighting. The library keeps
// no state between queries; entries expire in the connector, after
// PeerTimeout without an answer.
const mdnsService = "_cablecar._tcp"

// txtVersion is the TXT record's v= value.
const txtVersion = "1"

// errLoopback is StartDiscovery's error with Loopback.
var errLoopback = fmt.Errorf("%w: mdns cannot be combined with Loopback (mDNS is multicast on the LAN)", connector.ErrInvalidConfig)

// Discoverer finds peers with mDNS/DNS-SD; plug it into
// connector.BroadcastConfig.Discovery. The zero value is ready to use; New
// returns one. One Discoverer may serve several connectors.
type Discoverer struct{}

// New returns a Discoverer.
func New() *Discoverer { return &Discoverer{} }

// StartDiscovery implements connector.Discoverer: it starts the responders
// and the browsing loop. It fails (wrapping connector.ErrInvalidConfig)
// with Loopback, since mDNS is multicast on the LAN.
func (*Discoverer) StartDiscovery(self connector.Announcement, found func(connector.Sighting)) (connector.DiscoverySession, error) {
	if self.Loopback {
		return nil, errLoopback
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{
		self: self, found: found, log: self.Logger,
		ctx: ctx, cancel: cancel,
		quietCh: make(chan struct{}),
		npCh:    make(chan struct{}, 1),
		zones:   make(map[string]*zone),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.np.Store(int32(self.Nameplate))
	s.wg.Add(1)
	go s.loop()
	return s, nil
}

// session is one connector's mDNS discovery.
type session struct {
	self   connector.Announcement
	found  func(connector.Sighting)
	log    *slog.Logger
	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	quietOnce sync.Once
	quietCh   chan struct{} // closed by Quiet
	quiet     atomic.Bool
	np        atomic.Int32  // the nameplate announced (SetNameplate)
	npCh      chan struct{} // SetNameplate: update the responders

	resp  *responder       // nil until it could be opened; owned by loop
	zones map[string]*zone // by interface name; owned by loop
}

// Quiet implements connector.DiscoverySession: browsing stops, the
// responders answer with quiet=1.
//
// SetNameplate (connector.NameplateSetter) changes the np= of the TXT
// records; the responders announce the new ones at once.
func (s *session) SetNameplate(n int) {
	s.np.Store(int32(n))
	select {
	case s.npCh <- struct{}{}:
	default:
	}
}

func (s *session) Quiet() {
	s.quietOnce.Do(func() {
		s.quiet.Store(true)
		close(s.quietCh)
	})
}

// Close implements connector.DiscoverySession.
func (s *session) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// iface is an interface mDNS runs on.
type iface struct {
	ifc  net.Interface
	ips  []net.IP
	nets []netip.Prefix
	key  string
}

// mdnsInterfaces picks the up, multicast-capable, non-loopback interfaces
// with IPv4 addresses (named in names, when not empty).
func mdnsInterfaces(names []string) ([]iface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []iface
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagMulticast == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, ifc.Name) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue // vanished meanwhile
		}
		m := iface{ifc: ifc, key: ifc.Name}
		for _, p := range netif.IPv4Prefixes(addrs) {
			m.ips = append(m.ips, p.Addr().AsSlice())
			m.nets = append(m.nets, p.Masked())
			m.key += " " + p.String()
		}
		if len(m.ips) > 0 {
			out = append(out, m)
		}
	}
	return out, nil
}

// loop keeps the responder's zones in step with the interfaces (read again
// every InterfaceRefresh, and at once when they change: ifwatch, Linux) and
// browses every Interval, and after a change, until Quiet; the responders stay until Close (marked quiet after Quiet), so
// connected peers do not expire this one.
func (s *session) loop() {
	defer s.wg.Done()
	defer s.stopResponder()
	var ifaces []iface
	var lastRefresh time.Time
	timer := time.NewTimer(0)
	defer timer.Stop()
	quietCh := s.quietCh
	ifChanged, stopWatch := s.watchInterfaces()
	defer stopWatch()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-ifChanged:
			lastRefresh = time.Time{} // read them now, and browse at once
			timer.Stop()
		case <-quietCh:
			quietCh = nil
			for _, z := range s.zones {
				old := z.svc.Load()
				s.resp.update(z, s.serviceFor(old.IPs, old.Instance, true))
			}
			continue
		case <-s.npCh:
			for _, z := range s.zones {
				old := z.svc.Load()
				s.resp.update(z, s.serviceFor(old.IPs, old.Instance, s.quiet.Load()))
			}
			continue
		case <-timer.C:
		}
		if time.Since(lastRefresh) >= s.self.InterfaceRefresh {
			lastRefresh = time.Now()
			if ifs, err := mdnsInterfaces(s.self.Interfaces); err != nil {
				s.log.Warn("connector: cannot read interfaces", "err", err)
			} else {
				ifaces = ifs
				s.syncZones(ifaces)
			}
		}
		if quietCh == nil {
			// Quiet: keep the responders up to date, browse no more.
			timer.Reset(s.self.InterfaceRefresh)
			continue
		}
		s.browse(ifaces)
		timer.Reset(s.self.Interval)
	}
}

// watchInterfaces starts the interface watcher; without one (not Linux) the
// channel is never ready and the InterfaceRefresh poll alone notices
// changes.
func (s *session) watchInterfaces() (<-chan struct{}, func()) {
	w, err := ifwatch.New()
	if err != nil {
		s.log.Debug("connector: mdns: no interface change notification; polling every InterfaceRefresh", "err", err)
		return nil, func() {}
	}
	return w.C, func() { w.Close() }
}

// serviceFor builds the advertised service.
func (s *session) serviceFor(ips []net.IP, instance string, quiet bool) *mdns.MDNSService {
	txt := []string{"v=" + txtVersion, "app=" + s.self.AppID, "id=" + s.self.ID.String(), "name=" + s.self.Name}
	if quiet {
		txt = append(txt, "quiet=1")
	}
	if np := s.np.Load(); np != 0 {
		txt = append(txt, "np="+strconv.Itoa(int(np))) // the nameplate only, never a word
	}
	svc, err := mdns.NewMDNSService(instance, mdnsService, "local.", s.self.ID.String()+".local.",
		int(s.self.Port), ips, txt)
	if err != nil {
		// Only on bad arguments, which the connector's config check rules out.
		panic("connector: mdns service: " + err.Error())
	}
	return svc
}

// syncZones serves each new interface and withdraws vanished or changed
// ones, opening the responder first if need be.
func (s *session) syncZones(ifaces []iface) {
	if s.resp == nil {
		r, err := newResponder(s.log)
		if err != nil {
			s.log.Warn("connector: mdns responder not started", "err", err)
			return
		}
		s.resp = r
	}
	want := make(map[string]iface, len(ifaces))
	for _, m := range ifaces {
		want[m.ifc.Name] = m
	}
	for name, z := range s.zones {
		if m, ok := want[name]; !ok || m.key != z.key || m.ifc.Index != z.ifc.Index {
			s.resp.remove(z)
			delete(s.zones, name)
		}
	}
	for name, m := range want {
		if _, ok := s.zones[name]; ok {
			continue
		}
		z := &zone{ifc: m.ifc, nets: m.nets, key: m.key}
		instance := s.self.ID.String() + "-" + dnsLabel(name)
		z.svc.Store(s.serviceFor(m.ips, instance, s.quiet.Load()))
		if err := s.resp.add(z); err != nil {
			s.log.Warn("connector: mdns: cannot serve interface", "interface", name, "err", err)
			continue
		}
		s.zones[name] = z
		s.log.Debug("connector: mdns responder serves interface", "interface", name, "ips", m.ips)
	}
}

// stopResponder says goodbye on every interface and closes the responder
// (Close).
func (s *session) stopResponder() {
	if s.resp != nil {
		s.resp.close()
	}
	clear(s.zones)
}

// dnsLabel keeps letters (lower-cased), digits and '-' of an interface
// name.
func dnsLabel(s string) string {
	b := []byte(strings.ToLower(s))
	for i, ch := range b {
		if !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

// browse queries every interface at once and hands on the answers.
func (s *session) browse(ifaces []iface) {
	timeout := min(max(s.self.Interval/4, 50*time.Millisecond), 250*time.Millisecond)
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, m := range ifaces {
		wg.Go(func() {
			answers, err := queryMDNS(ctx, m, timeout)
			if err != nil && ctx.Err() == nil {
				s.log.Debug("connector: mdns query failed", "interface", m.ifc.Name, "err", err)
			}
			for _, a := range answers {
				if sg, ok := sighting(a, m); ok {
					s.found(sg)
				}
			}
		})
	}
	wg.Wait()
}

// sighting turns one answer into a Sighting: the zero Sighting (counted as
// garbage by the connector) for a bad TXT. ok is false when the answer has
// no address on the querying interface's subnets: every responder of a
// multi-homed host answers a query that reaches any of them, and only the
// one on this subnet is reachable from here.
func sighting(a mdnsAnswer, m iface) (s connector.Sighting, ok bool) {
	t, good := parseTXT(a.txt)
	if !good {
		return connector.Sighting{}, true
	}
	s = connector.Sighting{ID: t.id, AppID: t.app, Name: t.name, Quiet: t.quiet, Nameplate: t.np}
	for _, x := range a.addrs {
		for _, p := range m.nets {
			if p.Contains(x) {
				s.Addr = netip.AddrPortFrom(x, a.port)
				return s, true
			}
		}
	}
	return s, false
}
