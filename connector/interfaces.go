package connector

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"

	"github.com/cablecar-go/cablecar/internal/netif"
)

// loopbackBroadcast is where beacons go with the Loopback option: every
// socket bound to the beacon port on this host receives them, and nothing
// leaves the machine.
var loopbackBroadcast = netip.AddrFrom4([4]byte{127, 255, 255, 255})

// ifaceInfo is what broadcastNets needs of one interface.
type ifaceInfo struct {
	name  string
	flags net.Flags
	addrs []net.Addr
	ifc   net.Interface
}

// listInterfaces reads the system's interfaces and their addresses.
func listInterfaces() ([]ifaceInfo, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]ifaceInfo, 0, len(ifs))
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue // vanished meanwhile
		}
		out = append(out, ifaceInfo{name: ifc.Name, flags: ifc.Flags, addrs: addrs, ifc: ifc})
	}
	return out, nil
}

// broadcastNets picks the interfaces beacons go out on — up,
// broadcast-capable, not loopback or point-to-point, and named in names
// when names is not empty — and returns the directed broadcast address of
// each of their IPv4 subnets (deduplicated, sorted) and the subnets
// themselves (beacons and connections are accepted from these only).
func broadcastNets(ifs []ifaceInfo, names []string) (targets []netip.Addr, nets []netip.Prefix) {
	for _, ifc := range ifs {
		if ifc.flags&net.FlagUp == 0 || ifc.flags&net.FlagBroadcast == 0 ||
			ifc.flags&(net.FlagLoopback|net.FlagPointToPoint) != 0 {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, ifc.name) {
			continue
		}
		for _, p := range netif.IPv4Prefixes(ifc.addrs) {
			if p.Bits() == 0 || p.Bits() > 30 {
				continue // a subnet without broadcast address
			}
			mask := ^uint32(0) << (32 - p.Bits())
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(p.Addr().AsSlice())|^mask)
			targets = append(targets, netip.AddrFrom4(b))
			nets = append(nets, p.Masked())
		}
	}
	slices.SortFunc(targets, netip.Addr.Compare)
	targets = slices.Compact(targets)
	return targets, nets
}

// inNets reports whether ip is in one of nets.
func inNets(nets []netip.Prefix, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
