package mdns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

// The browsing side of mDNS is done here rather than with hashicorp/mdns's
// client, which joins 224.0.0.251:5353 on the default multicast interface
// only (and fails outright on a host without a default route, common on a
// LAN party), opens IPv6 sockets that fail on many hosts, and leaves its
// goroutines running after the query returns. This querier sends one
// "legacy unicast" query (RFC 6762 §6.7: from an ephemeral port, so
// responders answer to it directly) out of one chosen interface and reads
// the answers on the same socket until the timeout.

var mdnsGroup = &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}

// mdnsAnswer is one advertised instance.
type mdnsAnswer struct {
	instance string
	port     uint16
	txt      []string
	addrs    []netip.Addr // IPv4 addresses of its SRV target
}

// maxMDNSInstances bounds the answers kept per query.
const maxMDNSInstances = connector.MaxPeers

// queryMDNS asks for mdnsService on m's interface and returns the answers
// heard within timeout (or until ctx ends).
func queryMDNS(ctx context.Context, m iface, timeout time.Duration) ([]mdnsAnswer, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: m.ips[0]})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	pc := ipv4.NewPacketConn(conn)
	if err := pc.SetMulticastInterface(&m.ifc); err != nil {
		return nil, err
	}
	_ = pc.SetMulticastTTL(255)
	_ = pc.SetMulticastLoopback(true) // instances on this host answer too

	q := new(dns.Msg)
	q.SetQuestion(mdnsService+".local.", dns.TypePTR)
	q.RecursionDesired = false
	b, err := q.Pack()
	if err != nil {
		return nil, err
	}
	if _, err := conn.WriteToUDP(b, mdnsGroup); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	col := newMDNSCollector()
	buf := make([]byte, 9000)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return col.answers(), nil
			}
			return col.answers(), err
		}
		col.add(buf[:n])
	}
}

// mdnsCollector gathers records from answers to one query.
type mdnsCollector struct {
	instances map[string]*mdnsAnswer // by instance name
	targets   map[string]string      // instance -> SRV target
	hosts     map[string][]netip.Addr
}

func newMDNSCollector() *mdnsCollector {
	return &mdnsCollector{instances: map[string]*mdnsAnswer{}, targets: map[string]string{}, hosts: map[string][]netip.Addr{}}
}

// add decodes one response packet (untrusted bytes); bad packets and
// records are ignored.
func (col *mdnsCollector) add(packet []byte) {
	var msg dns.Msg
	if err := msg.Unpack(packet); err != nil || !msg.Response || msg.Opcode != dns.OpcodeQuery || msg.Rcode != 0 {
		return
	}
	service := strings.ToLower(mdnsService + ".local.")
	for _, rr := range append(msg.Answer, msg.Extra...) {
		switch rr := rr.(type) {
		case *dns.PTR:
			if strings.ToLower(rr.Hdr.Name) == service {
				col.instance(rr.Ptr)
			}
		case *dns.SRV:
			if a := col.instance(rr.Hdr.Name); a != nil {
				a.port = rr.Port
				col.targets[strings.ToLower(rr.Hdr.Name)] = strings.ToLower(rr.Target)
			}
		case *dns.TXT:
			if a := col.instance(rr.Hdr.Name); a != nil {
				a.txt = rr.Txt
			}
		case *dns.A:
			if ip, ok := netip.AddrFromSlice(rr.A.To4()); ok && len(col.hosts) < maxMDNSInstances {
				h := strings.ToLower(rr.Hdr.Name)
				if len(col.hosts[h]) < 16 {
					col.hosts[h] = append(col.hosts[h], ip)
				}
			}
		}
	}
}

// instance returns the answer for an instance of our service, making it
// if there is room; nil for names of other services.
func (col *mdnsCollector) instance(name string) *mdnsAnswer {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, "."+strings.ToLower(mdnsService)+".local.") {
		return nil
	}
	a := col.instances[name]
	if a == nil && len(col.instances) < maxMDNSInstances {
		a = &mdnsAnswer{instance: name}
		col.instances[name] = a
	}
	return a
}

// answers returns the complete instances (port, TXT and an address).
func (col *mdnsCollector) answers() []mdnsAnswer {
	var out []mdnsAnswer
	for name, a := range col.instances {
		a.addrs = col.hosts[col.targets[name]]
		if a.port != 0 && a.txt != nil && len(a.addrs) > 0 {
			out = append(out, *a)
		}
	}
	return out
}

// mdnsTXT is the decoded TXT of a cablecar service.
type mdnsTXT struct {
	id    connector.PeerID
	app   string
	name  string
	quiet bool
	np    int // the join-code nameplate offered; 0 none
}

// parseTXT decodes the TXT strings of an answer; ok is false unless it has
// v=1, a non-empty app of at most connector.MaxAppIDLen bytes, a valid
// non-zero id and a name of at most connector.MaxNameLen bytes. Unknown keys are ignored.
func parseTXT(fields []string) (t mdnsTXT, ok bool) {
	var haveV, haveID bool
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "v":
			haveV = v == txtVersion
		case "app":
			t.app = v
		case "id":
			n, err := strconv.ParseUint(v, 16, 64)
			haveID = err == nil && n != 0 && len(v) == 16
			t.id = connector.PeerID(n)
		case "name":
			t.name = v
		case "quiet":
			t.quiet = v == "1"
		case "np":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > connector.MaxNameplate {
				return t, false
			}
			t.np = n
		}
	}
	ok = haveV && haveID && t.app != "" && len(t.app) <= connector.MaxAppIDLen && len(t.name) <= connector.MaxNameLen
	return t, ok
}
