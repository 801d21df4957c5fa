//go:build linux

package mdns

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

// probeMain is a child that watches mDNS on the wire, as a browser on
// another host would: it shares port 5353, joins 224.0.0.251 on every
// interface, and prints one line per response it receives:
//
//	RESP <mcast|ucast> ttl=<IP TTL> id=<DNS id> ans=<n> extra=<n> ptr=<instance>:<record TTL>,...
//
// On the stdin command "qm" or "qu" it sends a PTR query for our service
// from port 5353 (qu: with the unicast-response bit, id 7).
func probeMain(say func(string, ...any)) int {
	lc := net.ListenConfig{Control: reuseControl}
	c, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:5353")
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		return 1
	}
	conn := c.(*net.UDPConn)
	pc := ipv4.NewPacketConn(conn)
	ifs, _ := mdnsInterfaces(nil)
	for _, m := range ifs {
		if err := pc.JoinGroup(&m.ifc, &net.UDPAddr{IP: mdnsGroupAP.Addr().AsSlice()}); err != nil {
			fmt.Fprintln(os.Stderr, "probe: join:", err)
			return 1
		}
	}
	_ = pc.SetMulticastTTL(255)
	_ = pc.SetMulticastLoopback(false)
	if err := pc.SetControlMessage(ipv4.FlagTTL|ipv4.FlagDst, true); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		return 1
	}
	go func() {
		buf := make([]byte, 9000)
		for {
			n, cm, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var m dns.Msg
			if m.Unpack(buf[:n]) != nil || !m.Response || cm == nil {
				continue
			}
			kind := "ucast"
			if cm.Dst.IsMulticast() {
				kind = "mcast"
			}
			var ptrs []string
			for _, rr := range m.Answer {
				if p, ok := rr.(*dns.PTR); ok {
					ptrs = append(ptrs, fmt.Sprintf("%s:%d", strings.TrimSuffix(p.Ptr, "."+mdnsService+".local."), p.Hdr.Ttl))
				}
			}
			say("RESP %s ttl=%d id=%d ans=%d extra=%d ptr=%s", kind, cm.TTL, m.Id, len(m.Answer), len(m.Extra), strings.Join(ptrs, ","))
		}
	}()
	say("READY probe %v", conn.LocalAddr())
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		q := new(dns.Msg)
		q.SetQuestion(mdnsService+".local.", dns.TypePTR)
		q.RecursionDesired = false
		switch sc.Text() {
		case "qm":
			q.Id = 0
		case "qu":
			q.Id = 7
			q.Question[0].Qclass |= cacheFlush
		default:
			continue
		}
		b, _ := q.Pack()
		for _, m := range ifs {
			_ = pc.SetMulticastInterface(&m.ifc)
			if _, err := conn.WriteToUDPAddrPort(b, mdnsGroupAP); err != nil {
				fmt.Fprintln(os.Stderr, "probe: send:", err)
			}
		}
	}
	conn.Close()
	say("STOPPED")
	return 0
}

// probe is a running probeMain child.
type probe struct{ *netns.Proc }

func startProbe(t *testing.T, host *netns.Host) probe {
	t.Helper()
	return probe{startChild(t, host, childConfig{Name: "probe", Probe: true}).Proc}
}

// waitResp waits for a RESP line after the first skip ones that starts
// with prefix and contains part, and returns it and how many RESP lines
// came up to it.
func (p probe) waitResp(t *testing.T, skip int, prefix, part string) (string, int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for n := skip + 1; ; n++ {
		lines := p.WaitCount("RESP ", n, time.Until(deadline))
		if l := lines[n-1]; strings.HasPrefix(l, prefix) && strings.Contains(l, part) {
			return l, n
		}
	}
}

// TestNetnsResponderWire checks on the wire what another host's browser
// receives: announcements and answers to plain queries by multicast, with
// IP TTL 255, at most once a second; an answer to a QU query unicast, with
// the query's id; and a goodbye (PTR TTL 0) by multicast when the connector
// stops.
func TestNetnsResponderWire(t *testing.T) {
	lab := netns.New(t)
	hp, hc := lab.Host(), lab.Host()
	lab.Segment("10.243.0.0/24", hp, hc)
	pr := startProbe(t, hp)
	cc := netnsChildConfig(t, "peer")
	cc.Only = true
	p := startChild(t, hc, cc)
	inst := p.ID + "-eth0"

	// Two announcements a second apart: every record in the answer section.
	_, n := pr.waitResp(t, 0, "RESP mcast ttl=255 id=0 ans=4 extra=0 ", "ptr="+inst+":120")
	pr.waitResp(t, n, "RESP mcast ttl=255 id=0 ans=4 extra=0 ", "ptr="+inst+":120")

	n = pr.Count("RESP ")
	pr.Send("qm")
	pr.waitResp(t, n, "RESP mcast ttl=255 id=0 ans=1 extra=3 ", "ptr="+inst+":")

	n = pr.Count("RESP ")
	pr.Send("qu")
	pr.waitResp(t, n, "RESP ucast ttl=255 id=7 ans=1 extra=3 ", "ptr="+inst+":")

	// A flood of plain queries gets one multicast answer a second (§6),
	// counted between the flood and the goodbye below.
	n = pr.Count("RESP ")
	for range 50 {
		pr.Send("qm")
	}
	pr.waitResp(t, n, "RESP mcast ttl=255 id=0 ans=1 extra=3 ", "ptr="+inst+":")

	p.Send("stop")
	p.WaitLine("STOPPED", 10*time.Second)
	_, bye := pr.waitResp(t, n, "RESP mcast ttl=255 id=0 ans=4 ", "ptr="+inst+":0") // TTL 0
	answers := 0
	for _, l := range pr.WaitCount("RESP ", bye, time.Second)[:bye] {
		if strings.HasPrefix(l, "RESP mcast ttl=255 id=0 ans=1 ") {
			answers++
		}
	}
	// The qm answer above, the flood's first (at most a second later), and
	// one more for a flood that spans a second on a loaded machine.
	if answers > 4 {
		t.Errorf("%d multicast answers to 51 queries sent within a few seconds; want at most 4", answers)
	}
	t.Logf("%d multicast answers to 51 plain queries", answers)
}
