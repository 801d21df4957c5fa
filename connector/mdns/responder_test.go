package mdns

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
)

func testService(t testing.TB) *mdns.MDNSService {
	t.Helper()
	svc, err := mdns.NewMDNSService("00000000000000ab-eth0", mdnsService, "local.", "00000000000000ab.local.",
		4000, []net.IP{net.IPv4(10, 0, 0, 1)}, goodTXT())
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func ptrQuery(unicastBit bool) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(mdnsService+".local.", dns.TypePTR)
	q.RecursionDesired = false
	q.Id = 0x1234
	if unicastBit {
		q.Question[0].Qclass |= cacheFlush
	}
	return q
}

var (
	fromMDNS   = netip.MustParseAddrPort("10.0.0.9:5353")
	fromLegacy = netip.MustParseAddrPort("10.0.0.9:40000")
)

// A plain (QM) query from port 5353 is answered by multicast, in the form
// of RFC 6762 §18 and with cache-flush bits on the unique records.
func TestAnswerMulticast(t *testing.T) {
	reps := answer(ptrQuery(false), fromMDNS, true, testService(t))
	if len(reps) != 1 || reps[0].to != mdnsGroupAP {
		t.Fatalf("replies %+v, want one to %v", reps, mdnsGroupAP)
	}
	m := reps[0].msg
	if m.Id != 0 || !m.Response || !m.Authoritative || len(m.Question) != 0 {
		t.Errorf("header id=%d response=%v aa=%v questions=%d", m.Id, m.Response, m.Authoritative, len(m.Question))
	}
	if len(m.Answer) != 1 || m.Answer[0].Header().Rrtype != dns.TypePTR || m.Answer[0].Header().Class != dns.ClassINET {
		t.Errorf("answers %v, want the PTR without cache-flush", m.Answer)
	}
	types := map[uint16]bool{}
	for _, rr := range m.Extra {
		types[rr.Header().Rrtype] = true
		if rr.Header().Class != dns.ClassINET|cacheFlush {
			t.Errorf("%v without cache-flush", rr)
		}
	}
	if !types[dns.TypeSRV] || !types[dns.TypeTXT] || !types[dns.TypeA] {
		t.Errorf("additional records %v, want SRV, TXT and A", m.Extra)
	}
	if _, err := m.Pack(); err != nil {
		t.Error(err)
	}
}

// The unicast-response bit (QU), or a query that came unicast, gets a
// unicast answer to the asker with the query's id.
func TestAnswerUnicast(t *testing.T) {
	for _, tc := range []struct {
		name      string
		q         *dns.Msg
		multicast bool
	}{{"QU", ptrQuery(true), true}, {"unicast query", ptrQuery(false), false}} {
		reps := answer(tc.q, fromMDNS, tc.multicast, testService(t))
		if len(reps) != 1 || reps[0].to != fromMDNS || reps[0].msg.Id != 0x1234 || len(reps[0].msg.Answer) != 1 {
			t.Errorf("%s: replies %+v, want one to %v with id 0x1234", tc.name, reps, fromMDNS)
		}
	}
}

// A legacy unicast query (not from port 5353, §6.7) is answered to its
// port with its id and question, TTLs of at most 10 s and no cache-flush.
func TestAnswerLegacy(t *testing.T) {
	reps := answer(ptrQuery(false), fromLegacy, true, testService(t))
	if len(reps) != 1 || reps[0].to != fromLegacy {
		t.Fatalf("replies %+v, want one to %v", reps, fromLegacy)
	}
	m := reps[0].msg
	if m.Id != 0x1234 || len(m.Question) != 1 || m.Question[0].Name != mdnsService+".local." {
		t.Errorf("id %#x question %v", m.Id, m.Question)
	}
	for _, rr := range append(m.Answer, m.Extra...) {
		if h := rr.Header(); h.Ttl > legacyTTL || h.Class != dns.ClassINET {
			t.Errorf("%v: want TTL <= %d and class IN", rr, legacyTTL)
		}
	}
	// What our own querier collects from it.
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	col := newMDNSCollector()
	col.add(b)
	if a := col.answers(); len(a) != 1 || a[0].port != 4000 {
		t.Errorf("collected %+v", a)
	}
}

// Known answers with at least half their TTL left are not repeated (§7.1).
func TestAnswerKnownAnswerSuppression(t *testing.T) {
	svc := testService(t)
	ptr := svc.Records(dns.Question{Name: mdnsService + ".local.", Qtype: dns.TypePTR, Qclass: dns.ClassINET})[0]
	q := ptrQuery(false)
	q.Answer = []dns.RR{ptr}
	if reps := answer(q, fromMDNS, true, svc); len(reps) != 0 {
		t.Errorf("known answer repeated: %+v", reps)
	}
	stale := dns.Copy(ptr)
	stale.Header().Ttl = ptr.Header().Ttl/2 - 1
	q.Answer = []dns.RR{stale}
	if reps := answer(q, fromMDNS, true, svc); len(reps) != 1 {
		t.Errorf("known answer with less than half its TTL left not refreshed: %+v", reps)
	}
}

// Other names, responses and other opcodes get nothing; names match
// whatever their case.
func TestAnswerIgnores(t *testing.T) {
	svc := testService(t)
	other := new(dns.Msg)
	other.SetQuestion("_other._tcp.local.", dns.TypePTR)
	resp := ptrQuery(false)
	resp.Response = true
	update := ptrQuery(false)
	update.Opcode = dns.OpcodeUpdate
	for name, q := range map[string]*dns.Msg{"other service": other, "response": resp, "update": update, "empty": new(dns.Msg)} {
		if reps := answer(q, fromMDNS, true, svc); len(reps) != 0 {
			t.Errorf("%s answered: %+v", name, reps)
		}
	}
	upper := new(dns.Msg)
	upper.SetQuestion(strings.ToUpper("00000000000000ab-eth0."+mdnsService+".local."), dns.TypeSRV)
	if reps := answer(upper, fromMDNS, true, svc); len(reps) != 1 || reps[0].msg.Answer[0].Header().Rrtype != dns.TypeSRV {
		t.Errorf("upper-case SRV question: %+v", reps)
	}
}

// Goodbyes and announcements carry every record; goodbyes with TTL 0.
func TestAllRecords(t *testing.T) {
	rrs := allRecords(testService(t))
	types := map[uint16]bool{}
	for _, rr := range rrs {
		types[rr.Header().Rrtype] = true
	}
	if len(rrs) != 4 || !types[dns.TypePTR] || !types[dns.TypeSRV] || !types[dns.TypeTXT] || !types[dns.TypeA] {
		t.Errorf("records %v", rrs)
	}
}

func FuzzAnswer(f *testing.F) {
	for _, q := range []*dns.Msg{ptrQuery(false), ptrQuery(true)} {
		b, err := q.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(5353))
		f.Add(b, uint16(40000))
	}
	f.Add([]byte{}, uint16(5353))
	svc := testService(f)
	f.Fuzz(func(t *testing.T, b []byte, port uint16) {
		var q dns.Msg
		if q.Unpack(b) != nil {
			return
		}
		for _, rep := range answer(&q, netip.AddrPortFrom(netip.MustParseAddr("10.0.0.9"), port), true, svc) {
			if _, err := rep.msg.Pack(); err != nil {
				t.Fatalf("reply does not pack: %v", err)
			}
			if len(rep.msg.Answer) == 0 {
				t.Fatal("reply without answers")
			}
		}
	})
}
