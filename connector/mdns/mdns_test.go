package mdns

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
)

// responsePacket is what a hashicorp/mdns responder sends for our query.
func responsePacket(t testing.TB, instance string, port int, ips []net.IP, txt []string) []byte {
	t.Helper()
	svc, err := mdns.NewMDNSService(instance, mdnsService, "local.", "host-"+instance+".local.", port, ips, txt)
	if err != nil {
		t.Fatal(err)
	}
	msg := dns.Msg{MsgHdr: dns.MsgHdr{Response: true, Authoritative: true},
		Answer: svc.Records(dns.Question{Name: mdnsService + ".local.", Qtype: dns.TypePTR, Qclass: dns.ClassINET})}
	b, err := msg.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goodTXT() []string {
	return []string{"v=1", "app=game", "id=00000000000000ab", "name=ann"}
}

func TestMDNSCollector(t *testing.T) {
	col := newMDNSCollector()
	col.add(responsePacket(t, "ab-eth0", 4000, []net.IP{net.IPv4(10, 0, 0, 1)}, goodTXT()))
	col.add(responsePacket(t, "ab-eth1", 4000, []net.IP{net.IPv4(10, 0, 1, 1)}, goodTXT()))
	col.add([]byte("garbage"))
	col.add(responsePacket(t, "cd-eth0", 5000, []net.IP{net.IPv4(10, 0, 0, 2)}, []string{"v=1"}))
	got := col.answers()
	slices.SortFunc(got, func(a, b mdnsAnswer) int {
		if a.instance < b.instance {
			return -1
		}
		return 1
	})
	if len(got) != 3 {
		t.Fatalf("%d answers: %+v", len(got), got)
	}
	if got[0].port != 4000 || !slices.Equal(got[0].addrs, []netip.Addr{netip.MustParseAddr("10.0.0.1")}) ||
		!slices.Equal(got[1].addrs, []netip.Addr{netip.MustParseAddr("10.0.1.1")}) {
		t.Errorf("answers %+v", got)
	}
	if _, ok := parseTXT(got[2].txt); ok {
		t.Errorf("TXT without app and id accepted")
	}
	txt, ok := parseTXT(got[0].txt)
	if !ok || txt.id != 0xab || txt.app != "game" || txt.name != "ann" || txt.quiet {
		t.Errorf("parseTXT: %+v %v", txt, ok)
	}
}

func TestParseTXT(t *testing.T) {
	bad := [][]string{
		nil,
		{"v=2", "app=game", "id=00000000000000ab"},
		{"v=1", "id=00000000000000ab"},
		{"v=1", "app=game", "id=ab"},
		{"v=1", "app=game", "id=0000000000000000"},
		{"v=1", "app=game", "id=zz000000000000ab"},
		{"v=1", "app=" + string(make([]byte, connector.MaxAppIDLen+1)), "id=00000000000000ab"},
	}
	for _, f := range bad {
		if _, ok := parseTXT(f); ok {
			t.Errorf("parseTXT(%q) accepted", f)
		}
	}
	if txt, ok := parseTXT(append(goodTXT(), "quiet=1", "other=x")); !ok || !txt.quiet {
		t.Errorf("quiet: %+v %v", txt, ok)
	}
	// The join-code nameplate: the number only; a bad one is garbage.
	if txt, ok := parseTXT(append(goodTXT(), "np=7")); !ok || txt.np != 7 {
		t.Errorf("np=7: %+v %v", txt, ok)
	}
	for _, np := range []string{"np=0", "np=65536", "np=x", "np=-1"} {
		if _, ok := parseTXT(append(goodTXT(), np)); ok {
			t.Errorf("%s accepted", np)
		}
	}
}

// TestTXTNameplate: the TXT records carry np= only with a nameplate, and
// SetNameplate changes it.
func TestTXTNameplate(t *testing.T) {
	s := &session{self: connector.Announcement{ID: 1, AppID: "game", Name: "n", Port: 4000}, npCh: make(chan struct{}, 1)}
	has := func() string {
		for _, f := range s.serviceFor([]net.IP{net.IPv4(10, 0, 0, 1)}, "x", false).TXT {
			if strings.HasPrefix(f, "np=") {
				return f
			}
		}
		return ""
	}
	if f := has(); f != "" {
		t.Fatalf("no nameplate, TXT has %q", f)
	}
	s.SetNameplate(12)
	if f := has(); f != "np=12" {
		t.Fatalf("TXT has %q, want np=12", f)
	}
}

func TestMDNSConfig(t *testing.T) {
	for _, cfg := range []connector.BroadcastConfig{{Discovery: New(), Compat: true}, {DiscoveryOnly: true}} {
		if _, err := connector.NewBroadcastConnector(&cfg); !errors.Is(err, connector.ErrInvalidConfig) {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
	// mDNS is multicast on the LAN: Start refuses Loopback.
	c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{Discovery: New(), DiscoveryOnly: true, Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(t.Context()); !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("Start with Loopback: %v", err)
	}
	c.Stop()
}

func FuzzMDNSResponse(f *testing.F) {
	f.Add(responsePacket(f, "ab-eth0", 4000, []net.IP{net.IPv4(10, 0, 0, 1)}, goodTXT()))
	f.Add(responsePacket(f, "x", 1, []net.IP{net.IPv4(1, 2, 3, 4), net.ParseIP("fe80::1")}, []string{"quiet=1"}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		col := newMDNSCollector()
		col.add(b)
		col.add(b)
		for _, a := range col.answers() {
			if a.port == 0 || len(a.addrs) == 0 || len(a.addrs) > 16 {
				t.Fatalf("incomplete answer %+v", a)
			}
			parseTXT(a.txt)
		}
	})
}
