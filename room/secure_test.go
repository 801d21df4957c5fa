package room

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/messenger"
)

// secureRoom starts a Room on loopback with the beacon port port, edited
// by edit.
func secureRoom(t testing.TB, port int, name string, edit func(*Config)) *member {
	t.Helper()
	cfg := Config{
		AppID:       "room-secure-test",
		Codec:       newCodec(),
		Name:        name,
		Loopback:    true,
		UDPPort:     port,
		Interval:    50 * time.Millisecond,
		PeerTimeout: 10 * time.Second,
	}
	edit(&cfg)
	r, err := New(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &member{Room: r}
}

// events of type E that m got.
func eventsOf[E Event](m *member) []E {
	var out []E
	for _, ev := range m.events {
		if e, ok := ev.(E); ok {
			out = append(out, e)
		}
	}
	return out
}

func rejectedWith(m *member, target error) bool {
	for _, rj := range eventsOf[Rejected](m) {
		if errors.Is(rj.Reason, target) {
			return true
		}
	}
	return false
}

// TestPasswordRoom: rooms with the same password form a room whose
// streams are sealed; one with another password and one with none never
// get in, each refusal a typed Rejected event.
func TestPasswordRoom(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	pw := func(p string) func(*Config) { return func(c *Config) { c.Password = p } }
	a := secureRoom(t, port, "a", pw("swordfish"))
	b := secureRoom(t, port, "b", pw("swordfish"))
	bad := secureRoom(t, port, "bad", pw("tuna"))
	none := secureRoom(t, port, "none", func(*Config) {})
	all := []*member{a, b, bad, none}
	until(t, "a and b to pair and refuse the others", func() bool {
		return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) &&
			rejectedWith(a, ErrWrongCode) && rejectedWith(a, messenger.ErrBadHello)
	}, all...)
	if err := a.Send(b.ID(), &note{S: "sealed"}); err != nil {
		t.Fatal(err)
	}
	until(t, "the note", func() bool { return len(b.notes()) == 1 }, all...)
	pump(all...)
	for _, m := range []*member{a, b} {
		for _, p := range m.Peers() {
			if p == bad.ID() || p == none.ID() {
				t.Fatalf("%s admitted a peer without the password", m.cfg.Name)
			}
		}
	}
	if len(bad.Peers()) != 0 || len(none.Peers()) != 0 {
		t.Fatalf("peers without the password got in: %v, %v", bad.Peers(), none.Peers())
	}
}

// TestPasswordDirect: Listen and Dial run the password too.
func TestPasswordDirect(t *testing.T) {
	leakcheck.Check(t)
	l := listener(t, Config{Password: "swordfish"})
	good, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Dial: []string{l.Addr().String()}, Password: "swordfish"})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	bad, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Dial: []string{l.Addr().String()}, Password: "tuna"})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	g, b := &member{Room: good}, &member{Room: bad}
	until(t, "good in, bad refused", func() bool {
		return hasPeer(l, good.ID()) && rejectedWith(b, ErrWrongCode) && rejectedWith(l, ErrWrongCode)
	}, l, g, b)
	if hasPeer(l, bad.ID()) {
		t.Fatal("a wrong password got in")
	}
}

func TestSecureConfigErrors(t *testing.T) {
	leakcheck.Check(t)
	for _, c := range []struct {
		cfg  Config
		want error
	}{
		{Config{Password: "x", Invite: true}, ErrInvalidConfig},
		{Config{Invite: true, Code: "7-guitarist-revenge"}, ErrInvalidConfig},
		{Config{Invite: true, Listen: "127.0.0.1:0"}, ErrInvalidConfig},
		{Config{Code: "7-guitarist-revenge", Dial: []string{"127.0.0.1:1"}}, ErrInvalidConfig},
		{Config{Code: "7-guitarist-revengeful", Loopback: true}, joincode.ErrBadCode},
		{Config{Code: "guitarist-revenge", Loopback: true}, joincode.ErrBadCode},
		{Config{Invite: true, CodeWords: 9}, ErrInvalidConfig},
		{Config{Invite: true, CodeExpiry: -1}, ErrInvalidConfig},
		// A code's nameplate travels in beacons: a Transport alone has none.
		{Config{Invite: true, Transports: []Transport{&pipeTransport{hub: &pipeHub{}}}}, ErrInvalidConfig},
		{Config{Code: "7-guitarist-revenge", Transports: []Transport{&pipeTransport{hub: &pipeHub{}}}}, ErrInvalidConfig},
	} {
		r, err := New(context.Background(), &c.cfg)
		if err == nil {
			r.Close()
		}
		if !errors.Is(err, c.want) {
			t.Errorf("New(%+v) = %v, want %v", c.cfg, err, c.want)
		}
	}
	// With room.LAN among the Transports, a joiner is fine.
	pt := &pipeTransport{hub: &pipeHub{}}
	r, err := New(context.Background(), &Config{Code: "7-guitarist-revenge", Loopback: true, UDPPort: freeport.UDP(t), Transports: []Transport{LAN, pt}})
	if err != nil {
		t.Fatalf("Code with LAN and a Transport: %v", err)
	}
	r.Close()
	if !pt.closed {
		t.Fatal("the Transport was not closed")
	}
	var ce *joincode.CodeError
	_, err = New(context.Background(), &Config{Code: "7-guitarist-revengeful", Loopback: true})
	if !errors.As(err, &ce) || ce.Pos != 2 {
		t.Fatalf("bad word: %v, want a *joincode.CodeError at word 2", err)
	}
}

// host starts an inviting room and returns it with its first code.
func host(t testing.TB, port int, edit func(*Config)) (*member, joincode.Code) {
	t.Helper()
	h := secureRoom(t, port, "host", func(c *Config) {
		c.Invite = true
		if edit != nil {
			edit(c)
		}
	})
	code := h.Code()
	if code.Len() == 0 || code.Nameplate() < 1 {
		t.Fatalf("host code %v", code)
	}
	pump(h)
	inv := eventsOf[Invited](h)
	if len(inv) != 1 || inv[0].Reason != nil || inv[0].Code != code {
		t.Fatalf("first Invited events %v, want one with code %v", inv, code)
	}
	return h, code
}

func joiner(t testing.TB, port int, code string) *member {
	t.Helper()
	return secureRoom(t, port, "joiner", func(c *Config) { c.Code = code })
}

// TestJoinCode: a joiner with the host's code gets in; the code is
// retired (it admitted a peer) and the Invited event gives the next one;
// a second joiner with the new code gets in and connects to the first
// joiner too (with the room secret); the codes' words never change hands
// in clear (see TestNoPlaintext in package messenger and the beacon test
// in package connector).
func TestJoinCode(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	h, code := host(t, port, nil)
	j1 := joiner(t, port, code.Reveal())
	until(t, "joiner 1 in", func() bool { return hasPeer(h, j1.ID()) && hasPeer(j1, h.ID()) }, h, j1)
	until(t, "the code renewed", func() bool { return len(eventsOf[Invited](h)) == 2 }, h, j1)
	inv := eventsOf[Invited](h)[1]
	if !errors.Is(inv.Reason, ErrCodeUsed) || inv.Code == code || h.Code() != inv.Code {
		t.Fatalf("renewal %v (%v), want a new code with ErrCodeUsed", inv.Code, inv.Reason)
	}
	if inv.Code.Nameplate() != code.Nameplate() {
		t.Fatalf("nameplate changed: %d -> %d", code.Nameplate(), inv.Code.Nameplate())
	}
	// The used code admits nobody else, and its try retires the new one.
	stale := joiner(t, port, code.Reveal())
	until(t, "the stale code refused", func() bool {
		return rejectedWith(stale, ErrWrongCode) && len(eventsOf[Invited](h)) == 3
	}, h, j1, stale)
	if inv := eventsOf[Invited](h)[2]; !errors.Is(inv.Reason, ErrWrongCode) {
		t.Fatalf("renewal after the stale try: %v", inv.Reason)
	}
	if hasPeer(h, stale.ID()) || len(stale.Peers()) != 0 {
		t.Fatal("the stale code got in")
	}
	j2 := joiner(t, port, h.Code().Reveal())
	all := []*member{h, j1, j2, stale}
	until(t, "joiner 2 in and meshed with joiner 1", func() bool {
		return hasPeer(h, j2.ID()) && hasPeer(j2, j1.ID()) && hasPeer(j1, j2.ID())
	}, all...)
	if err := j1.Send(j2.ID(), &note{S: "hi"}); err != nil {
		t.Fatal(err)
	}
	until(t, "j1's note at j2", func() bool { return len(j2.notes()) == 1 }, all...)
}

// TestJoinWrongCode: a wrong code fails on both sides; the host retires
// the code at once (Invited with ErrWrongCode) and the joiner stops; a
// joiner with the new code gets in.
func TestJoinWrongCode(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	h, code := host(t, port, nil)
	w := code.Words()
	wrongWord := joincode.WordAt(1, 0)
	if wrongWord == w[1] {
		wrongWord = joincode.WordAt(1, 1)
	}
	wrong := fmt.Sprintf("%d-%s-%s", code.Nameplate(), w[0], wrongWord)
	bad := joiner(t, port, wrong)
	until(t, "the failure on both sides", func() bool {
		return rejectedWith(bad, ErrWrongCode) && len(eventsOf[Invited](h)) == 2
	}, h, bad)
	inv := eventsOf[Invited](h)[1]
	if !errors.Is(inv.Reason, ErrWrongCode) || inv.Code == code {
		t.Fatalf("renewal %v (%v), want a new code with ErrWrongCode", inv.Code, inv.Reason)
	}
	// The joiner gave up: no second try reaches the host.
	deadline := time.Now().Add(5 * h.cfg.Interval)
	for time.Now().Before(deadline) {
		pump(h, bad)
		time.Sleep(time.Millisecond)
	}
	if n := len(eventsOf[Invited](h)); n != 2 {
		t.Fatalf("%d Invited events: the failed joiner tried again", n)
	}
	good := joiner(t, port, inv.Code.Reveal())
	until(t, "the new code in", func() bool { return hasPeer(h, good.ID()) }, h, bad, good)
}

// TestCodeExpiry: the host retires an old code (ErrCodeExpired).
func TestCodeExpiry(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	h, code := host(t, port, func(c *Config) { c.CodeExpiry = 300 * time.Millisecond })
	until(t, "the expiry", func() bool { return len(eventsOf[Invited](h)) >= 2 }, h)
	inv := eventsOf[Invited](h)[1]
	if !errors.Is(inv.Reason, ErrCodeExpired) || inv.Code == code {
		t.Fatalf("renewal %v (%v), want ErrCodeExpired", inv.Code, inv.Reason)
	}
	// The expired code no longer works.
	old := joiner(t, port, code.Reveal())
	until(t, "the old code refused", func() bool { return rejectedWith(old, ErrWrongCode) }, h, old)
}

// TestJoinNoHost: nobody offers the nameplate: ErrNoHost at the deadline.
func TestJoinNoHost(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	j := secureRoom(t, port, "j", func(c *Config) { c.Code = "7-guitarist-revenge"; c.JoinTimeout = 200 * time.Millisecond })
	until(t, "ErrNoHost", func() bool { return rejectedWith(j, ErrNoHost) }, j)
}

// TestInviteLowestFree: a second host on the LAN picks the next
// nameplate. It hears the first while it listens (inviteListen); if it
// did not, the clash would be settled (TestInviteNameplateClash): either
// way the two end on 1 and 2, with at most one move.
func TestInviteLowestFree(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	h1, _ := host(t, port, nil)
	h2 := secureRoom(t, port, "host2", func(c *Config) { c.Invite = true })
	until(t, "two nameplates, each heard by the other", func() bool { return settled(h1, h2) }, h1, h2)
	pump(h1, h2)
	got := []int{h1.Code().Nameplate(), h2.Code().Nameplate()}
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("nameplates %v, want 1 and 2", got)
	}
	if n := len(moves(h1)) + len(moves(h2)); n > 1 {
		t.Fatalf("%d moves (Invited with ErrNameplateTaken), want at most one", n)
	} else if n == 1 {
		t.Log("the second host missed the first while listening: the clash was settled")
	}
}

// FuzzCtrlSecret: the room-secret control message decodes only from
// exactly 32 bytes, never panics, and re-encodes to its payload; through
// the byte codec too.
func FuzzCtrlSecret(f *testing.F) {
	f.Add(make([]byte, roomSecretLen))
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{})
	c := newCodec()
	if err := registerControls(c); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var m ctrlSecret
		if err := m.DecodePayload(p); err != nil {
			if len(p) == roomSecretLen {
				t.Fatalf("32 bytes refused: %v", err)
			}
			return
		}
		out, _ := m.AppendPayload(nil)
		if len(p) != roomSecretLen || string(out) != string(p) {
			t.Fatalf("accepted %d bytes, re-encoded %x", len(p), out)
		}
		frame, err := c.AppendFrame(nil, &m)
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := c.Decode(frame)
		if s, ok := back.(*ctrlSecret); err != nil || !ok || string(s.S) != string(p) {
			t.Fatalf("frame round trip: %v %v", back, err)
		}
	})
}
