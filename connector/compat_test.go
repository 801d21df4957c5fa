package connector

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// pyPeer emulates cable_car 1.0.1's BroadcastConnector with plain sockets,
// as docs/compat.md describes it, on a host whose address is 127.0.0.2:
//   - beacons: the 9 bytes "BROADCAST" every interval (sent to
//     127.255.255.255 here instead of 255.255.255.255: tests stay on
//     loopback);
//   - listener on 0.0.0.0:udpPort (SO_REUSEADDR); any datagram from A makes
//     it dial A:tcpPort unless A is in its table or is its own IP;
//   - acceptor on tcpPort accepting everything; the table keyed by IP keeps
//     the first socket; every socket is an on-connect.
type pyPeer struct {
	ip               netip.Addr
	udpPort, tcpPort int

	udp  *net.UDPConn
	send *net.UDPConn
	ln   net.Listener
	wg   sync.WaitGroup
	stop chan struct{}

	mu        sync.Mutex
	table     map[netip.Addr]net.Conn
	sockets   []net.Conn // every on-connect
	datagrams [][]byte   // every datagram heard
}

func startPyPeer(t *testing.T, udpPort, tcpPort int, beacon, listen bool) *pyPeer {
	t.Helper()
	p := &pyPeer{
		ip: netip.MustParseAddr("127.0.0.2"), udpPort: udpPort, tcpPort: tcpPort,
		table: map[netip.Addr]net.Conn{}, stop: make(chan struct{}),
	}
	var err error
	p.ln, err = net.Listen("tcp4", net.JoinHostPort(p.ip.String(), strconv.Itoa(tcpPort)))
	if err != nil {
		t.Fatal(err)
	}
	p.wg.Add(1)
	go p.acceptLoop()
	if listen {
		lc := net.ListenConfig{Control: reuseControl}
		pc, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:"+strconv.Itoa(udpPort))
		if err != nil {
			t.Fatal(err)
		}
		p.udp = pc.(*net.UDPConn)
		p.wg.Add(1)
		go p.listenLoop()
	}
	if beacon {
		lc := net.ListenConfig{Control: broadcastControl}
		pc, err := lc.ListenPacket(context.Background(), "udp4", p.ip.String()+":0")
		if err != nil {
			t.Fatal(err)
		}
		p.send = pc.(*net.UDPConn)
		p.wg.Add(1)
		go p.beaconLoop()
	}
	t.Cleanup(p.close)
	return p
}

func (p *pyPeer) beaconLoop() {
	defer p.wg.Done()
	to := netip.AddrPortFrom(loopbackBroadcast, uint16(p.udpPort))
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		p.send.WriteToUDPAddrPort([]byte("BROADCAST"), to)
		select {
		case <-tick.C:
		case <-p.stop:
			return
		}
	}
}

func (p *pyPeer) listenLoop() {
	defer p.wg.Done()
	buf := make([]byte, 1024)
	for {
		n, src, err := p.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		a := src.Addr().Unmap()
		p.mu.Lock()
		p.datagrams = append(p.datagrams, bytes.Clone(buf[:n]))
		_, known := p.table[a]
		p.mu.Unlock()
		if known || a == p.ip || !a.IsLoopback() {
			continue // never dial off this machine, whoever sent the datagram
		}
		d := net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: p.ip.AsSlice()}}
		conn, err := d.Dial("tcp4", netip.AddrPortFrom(a, uint16(p.tcpPort)).String())
		if err != nil {
			continue
		}
		p.add(a, conn)
	}
}

func (p *pyPeer) acceptLoop() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.add(conn.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap(), conn)
	}
}

func (p *pyPeer) add(a netip.Addr, conn net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.table[a]; !ok {
		p.table[a] = conn
	}
	p.sockets = append(p.sockets, conn)
}

func (p *pyPeer) socketCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sockets)
}

func (p *pyPeer) firstSocket() net.Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sockets[0]
}

func (p *pyPeer) close() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	p.ln.Close()
	if p.udp != nil {
		p.udp.Close()
	}
	if p.send != nil {
		p.send.Close()
	}
	p.wg.Wait()
	for _, c := range p.sockets {
		c.Close()
	}
}

func compatConfig(t *testing.T) BroadcastConfig {
	return BroadcastConfig{
		Compat:   true,
		Loopback: true,
		UDPPort:  freeport.UDP(t),
		TCPPort:  freeport.TCP(t),
		Interval: 50 * time.Millisecond,
	}
}

// checkRawStream checks that the bytes written on one side arrive unchanged
// on the other: no hello, no framing of our own.
func checkRawStream(t *testing.T, goSide, pySide net.Conn) {
	t.Helper()
	for _, dir := range []struct{ from, to net.Conn }{{goSide, pySide}, {pySide, goSide}} {
		frame := []byte{5, 0x01, 'a', '@', 'b'} // a byte-transport MsgIdentify frame
		if _, err := dir.from.Write(frame); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(frame))
		_ = dir.to.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(dir.to, got); err != nil {
			t.Fatal(err)
		}
		_ = dir.to.SetReadDeadline(time.Time{})
		if !bytes.Equal(got, frame) {
			t.Fatalf("stream carried %q, want %q", got, frame)
		}
	}
}

func TestCompatPythonDialsUs(t *testing.T) {
	leakcheck.Check(t)
	cfg := compatConfig(t)
	py := startPyPeer(t, cfg.UDPPort, cfg.TCPPort, false, true)
	g := startTestPeer(t, cfg, "")
	waitFor(t, 10*time.Second, "the emulated Python peer connects", func() bool { return len(g.Peers()) == 1 })
	waitFor(t, 10*time.Second, "OnConnect", func() bool { n, _ := g.rec.counts(); return n == 1 })
	p := g.Peers()[0]
	if p.ID != 0 || p.Outgoing || p.Addr.Addr() != py.ip || p.Name != "" {
		t.Errorf("peer %+v", p)
	}
	if got := g.Addresses(); len(got) != 1 || got[0] != py.ip {
		t.Errorf("Addresses() = %v", got)
	}
	py.mu.Lock()
	d := py.datagrams[0]
	py.mu.Unlock()
	if string(d) != "BROADCAST" {
		t.Errorf("beacon %q, want exactly BROADCAST", d)
	}
	checkRawStream(t, p.Conn, py.firstSocket())
	g.Stop()
}

func TestCompatWeDialPython(t *testing.T) {
	leakcheck.Check(t)
	cfg := compatConfig(t)
	py := startPyPeer(t, cfg.UDPPort, cfg.TCPPort, true, false)
	g := startTestPeer(t, cfg, "")
	waitFor(t, 10*time.Second, "connected to the emulated Python peer", func() bool {
		return len(g.Peers()) == 1 && py.socketCount() == 1
	})
	p := g.Peers()[0]
	if !p.Outgoing || p.Addr != netip.AddrPortFrom(py.ip, uint16(cfg.TCPPort)) {
		t.Errorf("peer %+v", p)
	}
	checkRawStream(t, p.Conn, py.firstSocket())
	// Still one connection after many more beacons.
	waitFor(t, 10*time.Second, "more beacons", func() bool { return g.Stats().BeaconsReceived > 20 })
	if n, d := g.rec.counts(); n != 1 || d != 0 || py.socketCount() != 1 {
		t.Errorf("%d connects, %d disconnects, python has %d sockets", n, d, py.socketCount())
	}
	g.Stop()
}

func TestCompatBothWays(t *testing.T) {
	cfg := compatConfig(t)
	py := startPyPeer(t, cfg.UDPPort, cfg.TCPPort, true, true)
	g := startTestPeer(t, cfg, "")
	waitFor(t, 10*time.Second, "connected", func() bool { return len(g.Peers()) == 1 })
	waitFor(t, 10*time.Second, "more beacons", func() bool { return g.Stats().BeaconsReceived > 20 })
	// Never connected to itself; one peer per IP.
	if got := g.Addresses(); len(got) != 1 || got[0] != py.ip {
		t.Errorf("Addresses() = %v", got)
	}
	if n, _ := g.rec.counts(); n != 1 {
		t.Errorf("%d OnConnect calls, want 1", n)
	}
	// Garbage on the port is dropped, not dialed.
	s, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 10 {
		s.WriteToUDP([]byte("not a beacon"), &net.UDPAddr{IP: net.IPv4(127, 255, 255, 255), Port: cfg.UDPPort})
	}
	waitFor(t, 10*time.Second, "garbage counted", func() bool { return g.Stats().Dropped > 0 })
	if g.Stats().Dials > 1 {
		t.Errorf("%d dials", g.Stats().Dials)
	}
	g.Stop()
}
