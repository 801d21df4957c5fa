package connector

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/cablecar-go/cablecar/internal/netif"
)

// doctorTarget is one broadcast address beacons go to, with the interface
// and subnet behind it.
type doctorTarget struct {
	iface string
	to    netip.Addr
	net   netip.Prefix
}

// checkInterfaces lists the interfaces and adds a finding for each.
func (d *doctor) checkInterfaces() {
	if d.cfg.Loopback {
		d.targets = []doctorTarget{{iface: "lo", to: loopbackBroadcast, net: netip.MustParsePrefix("127.0.0.0/8")}}
		d.add(SevOK, "interface", nil, "", "Loopback: beacons go to %v only, nothing leaves this machine", loopbackBroadcast)
		return
	}
	ifs, err := listInterfaces()
	if err != nil {
		d.add(SevError, "interface", fmt.Errorf("%w: %w", ErrNoInterface, err),
			"check that the program may read the network configuration", "cannot read the interfaces: %v", err)
		return
	}
	var fs []Finding
	d.targets, fs = interfaceFindings(ifs, d.cfg.Interfaces)
	d.rep.Findings = append(d.rep.Findings, fs...)
}

// interfaceFindings decides, like broadcastNets, which interfaces beacons
// go out on, and explains each decision.
func interfaceFindings(ifs []ifaceInfo, names []string) ([]doctorTarget, []Finding) {
	var targets []doctorTarget
	var fs []Finding
	add := func(sev Severity, err error, advice, format string, args ...any) {
		fs = append(fs, Finding{Severity: sev, Check: "interface", Message: fmt.Sprintf(format, args...), Advice: advice, Err: err})
	}
	var have []string
	for _, ifc := range ifs {
		have = append(have, ifc.name)
		filtered := len(names) > 0 && !slices.Contains(names, ifc.name)
		switch {
		case ifc.flags&net.FlagLoopback != 0:
			if !filtered {
				add(SevInfo, nil, "", "%s skipped: loopback (used only with the Loopback option)", ifc.name)
			}
			continue
		case filtered:
			add(SevInfo, nil, "", "%s skipped: not named in the Interfaces option %v", ifc.name, names)
			continue
		case ifc.flags&net.FlagUp == 0:
			add(SevInfo, nil, "bring it up if peers are on it", "%s skipped: down", ifc.name)
			continue
		case ifc.flags&net.FlagPointToPoint != 0:
			add(SevInfo, nil, "", "%s skipped: point-to-point (a VPN or tunnel has no broadcast)", ifc.name)
			continue
		case ifc.flags&net.FlagBroadcast == 0:
			add(SevInfo, nil, "", "%s skipped: not broadcast-capable", ifc.name)
			continue
		}
		pfx := netif.IPv4Prefixes(ifc.addrs)
		var used []string
		for _, p := range pfx {
			to, _ := broadcastNets([]ifaceInfo{{name: ifc.name, flags: ifc.flags, addrs: []net.Addr{prefixAddr(p)}}}, nil)
			if len(to) == 0 {
				add(SevInfo, nil, "", "%s: address %v skipped: a /%d subnet has no broadcast address", ifc.name, p, p.Bits())
				continue
			}
			targets = append(targets, doctorTarget{iface: ifc.name, to: to[0], net: p.Masked()})
			used = append(used, fmt.Sprintf("%v (%v)", to[0], p))
		}
		if len(used) == 0 {
			if len(pfx) == 0 {
				add(SevInfo, nil, "give it an IPv4 address if peers are on it", "%s skipped: no IPv4 address", ifc.name)
			}
			continue
		}
		add(SevOK, nil, "", "%s: beacons go to %s", ifc.name, strings.Join(used, ", "))
	}
	for _, n := range names {
		if !slices.Contains(have, n) {
			add(SevError, fmt.Errorf("%w: %q", ErrNoSuchInterface, n), "fix the Interfaces option (this host has "+strings.Join(have, ", ")+")",
				"%q, named in the Interfaces option, does not exist", n)
		}
	}
	if len(targets) == 0 {
		advice := "connect to a LAN (Wi-Fi or Ethernet), or use the Loopback option on one machine"
		if len(names) > 0 {
			advice = "check the Interfaces option, or leave it empty to use every interface"
		}
		add(SevError, ErrNoInterface, advice, "no usable interface: no up, broadcast-capable interface with an IPv4 subnet, so beacons go nowhere")
	}
	return targets, fs
}

// prefixAddr turns p back into the *net.IPNet net.Interface.Addrs gives.
func prefixAddr(p netip.Prefix) net.Addr {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), 32)}
}
