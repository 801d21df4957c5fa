//go:build linux

package room

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/messenger"
	"golang.org/x/sys/unix"
)

// Attacks on discovery by a forging stranger built in the test, each shown
// to fail against a secured room (a password here; a join code admits into
// the same password room). The stranger runs in this process on loopback
// (beacons to 127.255.255.255 on the test's own port, TCP on 127.0.0.1),
// bounded in count and time; nothing leaves the machine.

// forger sends forged beacons on the loopback broadcast address.
type forger struct {
	t    testing.TB
	conn *net.UDPConn
	to   netip.AddrPort
}

func newForger(t testing.TB, port int) *forger {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	_ = rc.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1) })
	t.Cleanup(func() { c.Close() })
	return &forger{t: t, conn: c, to: netip.MustParseAddrPort("127.255.255.255:" + itoa(port))}
}

func itoa(n int) string { return netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(n)).String()[8:] }

// record builds a version-1 native record (package connector's layout).
func forgedRecord(kind byte, id PeerID, port uint16, app, name string) []byte {
	b := append([]byte("CCAR"), 1, kind)
	b = binary.BigEndian.AppendUint64(b, uint64(id))
	b = binary.BigEndian.AppendUint16(b, port)
	b = append(b, byte(len(app)))
	b = append(b, app...)
	b = append(b, byte(len(name)))
	b = append(b, name...)
	return append(b, 0)
}

const (
	kindBeacon  = 1
	kindGoodbye = 2
	kindHello   = 4
	kindAccept  = 5
)

func (f *forger) send(b []byte) {
	if _, err := f.conn.WriteToUDPAddrPort(b, f.to); err != nil {
		f.t.Fatal(err)
	}
}

// frame wraps an identify frame.
func frame(body []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
}

// stranger is a TCP listener that answers the identify exchange as the
// peer id it impersonates, then holds the connection; it counts them.
type stranger struct {
	ln    *net.TCPListener
	as    PeerID
	app   string
	conns atomic.Int32
	wg    sync.WaitGroup
}

func newStranger(t testing.TB, as PeerID, app string) *stranger {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &stranger{ln: ln, as: as, app: app}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(3 * time.Second))
				var hdr [2]byte
				if _, err := io.ReadFull(c, hdr[:]); err != nil {
					return
				}
				if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(hdr[:]))); err != nil {
					return
				}
				_, _ = c.Write(frame(forgedRecord(kindAccept, s.as, s.port(), s.app, "evil")))
				_, _ = io.Copy(io.Discard, c) // read the hello and what follows, answer nothing
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *stranger) port() uint16 { return uint16(s.ln.Addr().(*net.TCPAddr).Port) }

// pumpFor pumps ms for d (frames, not a synchronisation: the test then
// asserts that something did NOT happen in that time).
func pumpFor(d time.Duration, ms ...*member) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		pump(ms...)
		time.Sleep(time.Millisecond)
	}
}

func pairWith(t *testing.T, port int, edit func(*Config)) (a, b *member) {
	a = secureRoom(t, port, "a", edit)
	b = secureRoom(t, port, "b", edit)
	until(t, "a and b paired", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	return a, b
}

func password(c *Config) { c.Password = "swordfish" }

// TestAttackForgedGoodbye: goodbye beacons that claim both peers' ids
// drop nobody in a secured room. Without security the same forgery drops
// them (the control: the forger works).
func TestAttackForgedGoodbye(t *testing.T) {
	leakcheck.Check(t)
	for _, secured := range []bool{false, true} {
		port := freeport.UDP(t)
		edit := func(c *Config) { c.PeerTimeout = time.Second }
		if secured {
			edit = func(c *Config) { c.PeerTimeout = time.Second; password(c) }
		}
		a, b := pairWith(t, port, edit)
		f := newForger(t, port)
		for range 20 {
			f.send(forgedRecord(kindGoodbye, a.ID(), 1, a.cfg.AppID, "a"))
			f.send(forgedRecord(kindGoodbye, b.ID(), 1, a.cfg.AppID, "b"))
			pump(a, b)
		}
		pumpFor(3*a.cfg.PeerTimeout, a, b) // a goodbye of a peer whose connection is open acts after PeerTimeout
		_, aLost := leftOf(a, b.ID())
		_, bLost := leftOf(b, a.ID())
		if secured && (aLost || bLost || !hasPeer(a, b.ID()) || !hasPeer(b, a.ID())) {
			t.Fatalf("secured: forged goodbyes dropped a peer (a lost b %v, b lost a %v)", aLost, bLost)
		}
		if !secured && !aLost && !bLost {
			t.Fatal("control: forged goodbyes dropped nobody in a plain room; the forger does not work")
		}
		a.Close()
		b.Close()
	}
}

// TestAttackStolenID: beacons claiming b's id with the stranger's port,
// and a connection from the stranger claiming b's id, bring nobody into
// a's room: a never dials the stranger while b is connected, and what the
// stranger gets through (its own dial) fails the handshake.
func TestAttackStolenID(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	a, b := pairWith(t, port, password)
	s := newStranger(t, b.ID(), a.cfg.AppID)
	f := newForger(t, port)
	for range 20 {
		f.send(forgedRecord(kindBeacon, b.ID(), s.port(), a.cfg.AppID, "b"))
		pump(a, b)
	}
	// The stranger dials a as b, twice.
	for range 2 {
		c, err := net.Dial("tcp4", a.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		hello := forgedRecord(kindHello, b.ID(), s.port(), a.cfg.AppID, "b")
		hello = binary.BigEndian.AppendUint64(hello, uint64(a.ID()))
		_, _ = c.Write(frame(hello))
		pumpFor(2*a.cfg.Interval, a, b)
		c.Close()
	}
	pumpFor(5*a.cfg.Interval, a, b)
	if got := a.Peers(); len(got) != 1 || got[0] != b.ID() {
		t.Fatalf("a's peers %v, want only b", got)
	}
	if _, lost := leftOf(a, b.ID()); lost {
		t.Fatal("a lost b")
	}
	if n := s.conns.Load(); n != 0 {
		t.Fatalf("a dialed the stranger %d times while b was connected", n)
	}
}

// TestAttackStolenIDAfterLoss: once b is gone, beacons with b's id and the
// stranger's port do make a dial the stranger, but its handshake fails:
// nothing is admitted.
func TestAttackStolenIDAfterLoss(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	a, b := pairWith(t, port, password)
	bid := b.ID()
	b.Close()
	until(t, "a sees b leave", func() bool { _, ok := leftOf(a, bid); return ok }, a)
	s := newStranger(t, bid, a.cfg.AppID)
	f := newForger(t, port)
	for i := 0; i < 40 && s.conns.Load() == 0; i++ {
		f.send(forgedRecord(kindBeacon, bid, s.port(), a.cfg.AppID, "b"))
		pumpFor(a.cfg.Interval, a)
	}
	if s.conns.Load() == 0 {
		t.Fatal("a never dialed the stranger (the forgery is not reaching it)")
	}
	until(t, "the stranger refused", func() bool { return len(eventsOf[Rejected](a)) > 0 }, a)
	pumpFor(3*a.cfg.Interval, a)
	if len(a.Peers()) != 0 {
		t.Fatalf("the stranger got in: %v", a.Peers())
	}
	joined := eventsOf[Joined](a)
	if len(joined) != 1 {
		t.Fatalf("joined events %v, want b's only", joined)
	}
}

// TestAttackFrozenPeerKeptAlive: beacons of a frozen peer (forged, one
// every Interval, plus the frozen process's own connector, which still
// beacons here) do not keep it in the room: it leaves with ErrPeerTimeout.
func TestAttackFrozenPeerKeptAlive(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	a, b := pairWith(t, port, func(c *Config) { c.Password = "swordfish"; c.PeerTimeout = time.Second })
	bPort := uint16(b.Addr().(*net.TCPAddr).Port)
	f := newForger(t, port)
	start := time.Now()
	var reason error
	// b is frozen: nobody pumps it from now on.
	for time.Since(start) < 10*time.Second {
		f.send(forgedRecord(kindBeacon, b.ID(), bPort, a.cfg.AppID, "b"))
		pumpFor(a.cfg.Interval, a)
		if r, ok := leftOf(a, b.ID()); ok {
			reason = r
			break
		}
	}
	if !errors.Is(reason, ErrPeerTimeout) {
		t.Fatalf("frozen b: left with %v after %v, want ErrPeerTimeout", reason, time.Since(start))
	}
	t.Logf("frozen peer dropped with ErrPeerTimeout after %v (PeerTimeout 1s)", time.Since(start).Round(time.Millisecond))
}

// TestAttackOneToOneSlot: the first stranger to connect to a OneToOne
// room does not take its one slot: discovery goes on until a peer proved
// the password, and the real peer pairs.
func TestAttackOneToOneSlot(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	one := func(c *Config) { c.Password = "swordfish"; c.OneToOne = true }
	a := secureRoom(t, port, "a", one)
	// The stranger connects first, with a valid identify hello.
	c, err := net.Dial("tcp4", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hello := forgedRecord(kindHello, 0x5eed, 1, a.cfg.AppID, "evil")
	hello = binary.BigEndian.AppendUint64(hello, uint64(a.ID()))
	if _, err := c.Write(frame(hello)); err != nil {
		t.Fatal(err)
	}
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatalf("the stranger's identify: %v", err)
	}
	b := secureRoom(t, port, "b", one)
	until(t, "a and b paired", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	for _, p := range a.Peers() {
		if p == 0x5eed {
			t.Fatal("the stranger got in")
		}
	}
}

// listenBeacons binds the beacon port beside the rooms (SO_REUSEADDR and
// SO_REUSEPORT, as they do) and collects what arrives.
func listenBeacons(t *testing.T, port int) *net.UDPConn {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		})
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:"+itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.(*net.UDPConn)
}

// TestBeaconsCarryNoCodeWord: an inviting host's beacons carry its
// nameplate and no word of its code, in any case.
func TestBeaconsCarryNoCodeWord(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	l := listenBeacons(t, port)
	h, code := host(t, port, nil)
	buf := make([]byte, 2048)
	seen := 0
	for seen < 5 {
		_ = l.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := l.ReadFromUDP(buf)
		if err != nil {
			t.Fatal(err)
		}
		b := buf[:n]
		if !bytes.Contains(b, binary.BigEndian.AppendUint64(nil, uint64(h.ID()))) {
			continue
		}
		// The first ones, sent while New listened for the nameplates in
		// use, have none.
		if bytes.HasSuffix(b, []byte{1, 2, byte(code.Nameplate() >> 8), byte(code.Nameplate())}) {
			seen++
		}
		for _, w := range append(code.Words(), code.Secret()) {
			if bytes.Contains(bytes.ToLower(b), []byte(w)) {
				t.Fatalf("beacon %q contains the code word %q", b, w)
			}
		}
	}
}

// TestAttackGuessingStranger: a stranger that is not a room (a raw
// connection: identify hello joining the nameplate, then a Messenger with
// its own PAKE under a guessed code) gets an error on its side, the host
// retires the code at once (Invited with ErrWrongCode) and admits nobody;
// a second guess on the old code is again a retirement, never a join.
func TestAttackGuessingStranger(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	h, code := host(t, port, nil)
	for try := range 2 {
		c, err := net.Dial("tcp4", h.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		id := PeerID(0x5eed + try)
		hello := forgedRecord(kindHello, id, 1, h.cfg.AppID, "evil")
		hello = binary.BigEndian.AppendUint64(hello, uint64(h.ID()))
		hello = append(hello, 1, 2, byte(code.Nameplate()>>8), byte(code.Nameplate())) // joins the nameplate
		if _, err := c.Write(frame(hello)); err != nil {
			t.Fatal(err)
		}
		var hdr [2]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(hdr[:]))); err != nil {
			t.Fatal(err)
		}
		guess := joincode.WordAt(0, byte(try)) + "-" + joincode.WordAt(1, 7)
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			m, err := messenger.New(ctx, c, newCodec(), &messenger.Options{AppID: h.cfg.AppID, PeerID: uint64(id), Secret: []byte(guess), Nameplate: code.Nameplate()})
			if m != nil {
				m.Close()
			}
			done <- err
		}()
		until(t, "the retirement", func() bool { return len(eventsOf[Invited](h)) == 2+try }, h)
		if err := <-done; !errors.Is(err, ErrWrongCode) {
			t.Fatalf("the stranger's PAKE: %v, want ErrWrongCode", err)
		}
		c.Close()
		inv := eventsOf[Invited](h)[1+try]
		if !errors.Is(inv.Reason, ErrWrongCode) {
			t.Fatalf("renewal reason %v, want ErrWrongCode", inv.Reason)
		}
	}
	if len(h.Peers()) != 0 || len(eventsOf[Joined](h)) != 0 {
		t.Fatalf("the stranger got in: %v", h.Peers())
	}
}

// TestAttackStallCodeSlot: a stranger that joins the nameplate and then
// stalls holds the host's one handshake under the code until
// HelloTimeout, and no longer; it made no guess, so the code stands, and
// a joiner that arrived meanwhile (refused, no guess either) tries again
// and gets in with it.
func TestAttackStallCodeSlot(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	h, code := host(t, port, func(c *Config) { c.HelloTimeout = 500 * time.Millisecond })
	c, err := net.Dial("tcp4", h.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hello := forgedRecord(kindHello, 0x5eed, 1, h.cfg.AppID, "evil")
	hello = binary.BigEndian.AppendUint64(hello, uint64(h.ID()))
	hello = append(hello, 1, 2, byte(code.Nameplate()>>8), byte(code.Nameplate()))
	if _, err := c.Write(frame(hello)); err != nil {
		t.Fatal(err)
	}
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatal(err)
	}
	until(t, "the host runs the stranger's hello", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.sec.busy
	}, h)
	j := secureRoom(t, port, "joiner", func(c *Config) { c.Code = code.Reveal(); c.HelloTimeout = 500 * time.Millisecond })
	until(t, "the joiner in after the stall", func() bool { return hasPeer(h, j.ID()) && hasPeer(j, h.ID()) }, h, j)
	inv := eventsOf[Invited](h)
	if len(inv) < 2 || !errors.Is(inv[1].Reason, ErrCodeUsed) {
		t.Fatalf("invitations %v: the stall must not retire the code", inv)
	}
}
