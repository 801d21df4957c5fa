//go:build linux

package room

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/messenger"
	"golang.org/x/sys/unix"
)

// Attacks by a stranger that forges no discovery packet: a raw client of
// its own id (a OneToOne slot taker, a code guesser, a staller) that
// connects over TCP to 127.0.0.1, run in this process on loopback. The
// attacks that forge beacons and goodbyes (claiming other peers' ids) run
// inside network namespaces: netns_attack_test.go.

// forgedRecord builds a version-1 native record (package connector's layout).
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

// frame wraps an identify frame.
func frame(body []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
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
	pc, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:"+strconv.Itoa(port))
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
