// Package netif reads interface addresses the way connector and
// connector/mdns both need them.
package netif

import (
	"net"
	"net/netip"
)

// IPv4Prefixes returns the IPv4 addresses of addrs (as net.Interface.Addrs
// gives them) with their prefix length, not masked; other addresses are
// left out.
func IPv4Prefixes(addrs []net.Addr) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip4 := ipn.IP.To4()
		ones, bits := ipn.Mask.Size()
		if ip4 == nil || bits != 32 {
			continue
		}
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte(ip4)), ones))
	}
	return out
}
