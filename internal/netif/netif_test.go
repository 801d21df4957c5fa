package netif

import (
	"net"
	"net/netip"
	"slices"
	"testing"
)

func TestIPv4Prefixes(t *testing.T) {
	cidr := func(s string) *net.IPNet {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip // keep the host part, as Interface.Addrs does
		return n
	}
	addrs := []net.Addr{
		cidr("10.1.2.3/24"),
		cidr("fe80::1/64"), // IPv6: left out
		&net.IPNet{IP: net.ParseIP("10.9.9.9"), Mask: net.CIDRMask(64, 128)}, // v4 address, v6 mask: left out
		&net.IPAddr{IP: net.ParseIP("10.4.4.4")},                             // no mask: left out
		cidr("192.168.7.1/16"),
	}
	got := IPv4Prefixes(addrs)
	want := []netip.Prefix{netip.MustParsePrefix("10.1.2.3/24"), netip.MustParsePrefix("192.168.7.1/16")}
	if !slices.Equal(got, want) {
		t.Errorf("IPv4Prefixes = %v, want %v", got, want)
	}
	if got := IPv4Prefixes(nil); got != nil {
		t.Errorf("IPv4Prefixes(nil) = %v", got)
	}
}
