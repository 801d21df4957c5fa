package connector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// heardKind classifies a datagram the doctor heard.
type heardKind int

const (
	heardPeer    heardKind = iota // a beacon of our application and mode
	heardForeign                  // a valid beacon of another application id
	heardVersion                  // a cablecar record of another protocol version
	heardCompat                   // cable_car's BROADCAST while native (or a native beacon while compat)
	heardGarbage                  // anything else
	heardOutside                  // our application, but from outside the chosen subnets
	heardDoctor                   // a goodbye of an unknown peer: another doctor, or a peer stopping
	heardOwn                      // our own beacon
	numHeardKinds
)

// heardKey aggregates datagrams: one finding per kind, source and detail.
type heardKey struct {
	kind   heardKind
	src    netip.Addr
	port   int
	detail string
}

// maxHeardKeys bounds the doctor's table of what it heard.
const maxHeardKeys = 64

// listener is the state of the doctor's listening phase.
type listener struct {
	d       *doctor
	id      PeerID // the doctor's own beacons
	ownIPs  []netip.Addr
	mu      sync.Mutex
	heard   map[heardKey]int
	order   []heardKey
	echoed  map[netip.Prefix]bool
	dropped int // datagrams not recorded: the table was full
}

// listen binds the ports, sends our beacons and records what comes in.
func (d *doctor) listen(ctx context.Context) {
	cfg := &d.cfg
	port, other := cfg.UDPPort, DefaultCompatUDPPort
	if port == DefaultCompatUDPPort {
		other = DefaultNativeUDPPort
	}
	if cfg.TCPPort != 0 && !d.ownTCP {
		host := "0.0.0.0"
		if cfg.Loopback {
			host = "127.0.0.1"
		}
		ln, err := net.Listen("tcp4", fmt.Sprintf("%s:%d", host, cfg.TCPPort))
		if err != nil {
			d.add(SevError, "port", fmt.Errorf("%w: tcp %d: %w", ErrPortInUse, cfg.TCPPort, err),
				"stop the other program, or choose another TCPPort",
				"TCP port %d cannot be bound%s: %v", cfg.TCPPort, portHolder("tcp", cfg.TCPPort), err)
		} else {
			ln.Close()
			d.add(SevOK, "port", nil, "", "TCP port %d can be bound", cfg.TCPPort)
		}
	}
	if cfg.DiscoveryOnly {
		d.add(SevInfo, "port", nil, "", "DiscoveryOnly: no broadcast beacons are sent or listened for")
		return
	}
	lc := net.ListenConfig{Control: reuseControl}
	mainPC, err := lc.ListenPacket(ctx, "udp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		d.add(SevError, "port", fmt.Errorf("%w: udp %d: %w", ErrPortInUse, port, err),
			"another program holds the port without sharing it (SO_REUSEADDR): stop it, or choose another UDPPort on every peer",
			"the beacon port udp %d cannot be bound%s: %v", port, portHolder("udp", port), err)
		return
	}
	defer mainPC.Close()
	d.add(SevOK, "port", nil, "", "the beacon port udp %d can be bound (shared)", port)
	socks := []net.PacketConn{mainPC}
	ports := []int{port}
	if port == DefaultNativeUDPPort || port == DefaultCompatUDPPort { // the other mode's port, when ours is a default
		if pc, err := lc.ListenPacket(ctx, "udp4", fmt.Sprintf("0.0.0.0:%d", other)); err == nil {
			defer pc.Close()
			socks = append(socks, pc)
			ports = append(ports, other)
		}
	}
	host := "0.0.0.0"
	if cfg.Loopback {
		host = "127.0.0.1"
	}
	slc := net.ListenConfig{Control: broadcastControl}
	spc, err := slc.ListenPacket(ctx, "udp4", host+":0")
	if err != nil {
		d.add(SevError, "echo", fmt.Errorf("%w: %w", ErrSendFailed, err), "", "cannot open a socket to send beacons: %v", err)
		return
	}
	send := spc.(*net.UDPConn)
	defer send.Close()

	l := &listener{d: d, id: newPeerID(), heard: make(map[heardKey]int), echoed: make(map[netip.Prefix]bool)}
	l.ownIPs = ownAddrs(cfg.Loopback)
	payload := []byte(compatBeacon)
	if !cfg.Compat {
		payload = appendRecord(nil, &record{kind: kindGoodbye, id: l.id, app: []byte(cfg.AppID), name: []byte(cfg.Name)})
	}

	window := d.listenFor()
	deadline := time.Now().Add(window)
	var wg sync.WaitGroup
	for i, pc := range socks {
		_ = pc.SetReadDeadline(deadline)
		wg.Go(func() { l.read(pc, ports[i]) })
	}
	stopRead := context.AfterFunc(ctx, func() {
		for _, pc := range socks {
			_ = pc.SetReadDeadline(time.Now())
		}
	})
	sent := make([]int, len(d.targets))
	sendErr := make([]error, len(d.targets))
	tick := time.NewTicker(cfg.Interval)
	for {
		for i, t := range d.targets {
			if _, err := send.WriteToUDPAddrPort(payload, netip.AddrPortFrom(t.to, uint16(port))); err != nil {
				sendErr[i] = err
			} else {
				sent[i]++
			}
		}
		if !l.waitEcho(ctx, tick.C, deadline) {
			break
		}
	}
	tick.Stop()
	stopRead()
	for _, pc := range socks {
		_ = pc.SetReadDeadline(time.Now())
	}
	wg.Wait()
	if ctx.Err() != nil {
		d.add(SevInfo, "echo", nil, "", "listening was cut short: %v", ctx.Err())
	}

	for i, t := range d.targets {
		switch {
		case sent[i] == 0:
			d.add(SevError, "echo", fmt.Errorf("%w: %v: %w", ErrSendFailed, t.to, sendErr[i]),
				"an output firewall rule or a missing route; check `ip route` and the firewall",
				"%s: beacons to %v cannot be sent: %v", t.iface, t.to, sendErr[i])
		case l.echoed[t.net]:
			d.add(SevOK, "echo", nil, "", "%s: our own beacon to %v:%d came back: this host receives broadcasts", t.iface, t.to, port)
		default:
			d.add(SevWarn, "echo", fmt.Errorf("%w: %s", ErrNoEcho, t.iface),
				"a firewall drops incoming udp "+fmt.Sprint(port)+" (see above), or the network filters broadcast",
				"%s: our own beacon to %v:%d did not come back in %v: this host does not receive broadcasts on the port",
				t.iface, t.to, port, window.Round(time.Millisecond))
		}
	}
	l.findings(ports)
}

// waitEcho waits for the next send (tick) and reports whether to go on.
func (l *listener) waitEcho(ctx context.Context, tick <-chan time.Time, deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-tick:
		return time.Now().Before(deadline)
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// read records datagrams until the socket's deadline.
func (l *listener) read(pc net.PacketConn, port int) {
	buf := make([]byte, 2048)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		ua, ok := from.(*net.UDPAddr)
		if !ok {
			continue
		}
		src := ua.AddrPort().Addr().Unmap()
		if l.d.cfg.Loopback && !src.IsLoopback() {
			continue // Loopback: what the LAN sends is not our business
		}
		k := l.classify(buf[:n], src, port)
		l.mu.Lock()
		if k.kind == heardOwn {
			for _, t := range l.d.targets {
				if t.net.Contains(src) {
					l.echoed[t.net] = true
				}
			}
		} else if _, seen := l.heard[k]; seen || len(l.heard) < maxHeardKeys {
			if !seen {
				l.order = append(l.order, k)
			}
			l.heard[k]++
		} else {
			l.dropped++
		}
		l.mu.Unlock()
	}
}

// classify says what one datagram is.
func (l *listener) classify(b []byte, src netip.Addr, port int) heardKey {
	cfg := &l.d.cfg
	k := heardKey{src: src, port: port}
	own := slices.Contains(l.ownIPs, src)
	if string(b) == compatBeacon {
		switch {
		case cfg.Compat && own && port == cfg.UDPPort:
			k.kind = heardOwn
		case cfg.Compat && port == cfg.UDPPort:
			k.kind = heardPeer
		default:
			k.kind = heardCompat
		}
		return k
	}
	r, err := parseBeacon(b)
	switch {
	case err == nil:
	case errors.Is(err, ErrUnsupportedVersion):
		k.kind, k.detail = heardVersion, fmt.Sprint(b[4])
		return k
	default:
		k.kind, k.detail = heardGarbage, garbageDetail(b, err)
		return k
	}
	switch {
	case r.id == l.id:
		k.kind = heardOwn
	case cfg.Compat || port != cfg.UDPPort:
		k.kind, k.detail = heardCompat, "native"
	case string(r.app) != cfg.AppID:
		k.kind, k.detail = heardForeign, string(r.app)
	case r.kind == kindGoodbye:
		k.kind = heardDoctor
	case !l.d.inTargets(src):
		k.kind, k.detail = heardOutside, string(r.name)
	default:
		k.kind, k.detail = heardPeer, fmt.Sprintf("%s (%v, tcp %d)", r.name, r.id, r.port)
	}
	return k
}

// garbageDetail describes a datagram that is no beacon.
func garbageDetail(b []byte, err error) string {
	n := min(len(b), 8)
	return fmt.Sprintf("%d bytes % x...: %v", len(b), b[:n], err)
}

// inTargets reports whether ip is on a subnet beacons go to.
func (d *doctor) inTargets(ip netip.Addr) bool {
	for _, t := range d.targets {
		if t.net.Contains(ip) {
			return true
		}
	}
	return false
}

// findings turns what was heard into findings, one per kind and source.
func (l *listener) findings(ports []int) {
	d := l.d
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := slices.Clone(l.order)
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].kind < keys[j].kind })
	peers := 0
	for _, k := range keys {
		n := l.heard[k]
		times := fmt.Sprintf("%d×", n)
		switch k.kind {
		case heardPeer:
			peers++
			if d.cfg.Compat {
				d.add(SevOK, "heard", nil, "", "a cable_car peer (compat) at %v, %s", k.src, times)
			} else {
				d.add(SevOK, "heard", nil, "", "peer %s at %v, %s", k.detail, k.src, times)
			}
		case heardForeign:
			d.add(SevWarn, "heard", fmt.Errorf("%w: %q", ErrForeignApp, k.detail),
				fmt.Sprintf("peers only find each other with the same AppID (ours is %q); set it alike on both", d.cfg.AppID),
				"beacons of application %q from %v on udp %d, %s", k.detail, k.src, k.port, times)
		case heardVersion:
			d.add(SevWarn, "heard", fmt.Errorf("%w: %s", ErrOtherVersion, k.detail),
				fmt.Sprintf("run the same cablecar release on every peer (we speak protocol version %d)", protocolVersion),
				"cablecar beacons of protocol version %s from %v on udp %d, %s", k.detail, k.src, k.port, times)
		case heardCompat:
			if k.detail == "native" {
				d.add(SevWarn, "heard", ErrCompatPeer, "drop the Compat option (cpumon: -compat) to find native peers, or set it on them",
					"native cablecar beacons from %v on udp %d, but we are in Compat mode, %s", k.src, k.port, times)
			} else {
				d.add(SevWarn, "heard", ErrCompatPeer, "set the Compat option (cpumon: -compat) to talk to it, or run it in native mode",
					"cable_car \"BROADCAST\" beacons from %v on udp %d (a Python cable_car peer, or a peer in compat mode), %s", k.src, k.port, times)
			}
		case heardGarbage:
			d.add(SevWarn, "heard", ErrGarbage, "another program uses this port: choose another UDPPort on every peer",
				"datagrams that are no beacon from %v on udp %d: %s, %s", k.src, k.port, k.detail, times)
		case heardOutside:
			d.add(SevInfo, "heard", nil, "add its interface to the Interfaces option",
				"peer %q at %v is not on the subnets beacons go to: it is ignored, %s", k.detail, k.src, times)
		case heardDoctor:
			d.add(SevInfo, "heard", nil, "", "a goodbye beacon from %v (a stopping peer or another doctor), %s", k.src, times)
		}
	}
	if l.dropped > 0 {
		d.add(SevInfo, "heard", nil, "", "%d more datagrams from further sources not listed", l.dropped)
	}
	if peers == 0 {
		ps := make([]string, len(ports))
		for i, p := range ports {
			ps[i] = fmt.Sprint(p)
		}
		d.add(SevInfo, "heard", ErrNobodyHeard, "start a peer of the same application on the LAN",
			"no peer of application %q heard on udp %s in %v", d.cfg.AppID, strings.Join(ps, ", "), d.listenFor().Round(time.Millisecond))
	}
}

// ownAddrs returns this host's IPv4 addresses.
func ownAddrs(loopback bool) []netip.Addr {
	if loopback {
		return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	}
	ifs, err := listInterfaces()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, ifc := range ifs {
		for _, a := range ifc.addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(ipn.IP); ok && ip.Unmap().Is4() {
					out = append(out, ip.Unmap())
				}
			}
		}
	}
	return out
}
