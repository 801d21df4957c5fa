package room

import (
	"errors"
	"slices"
	"testing"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/joincode"
)

// settled: hosts a and b offer different nameplates, and each has heard
// the other's current one (so neither has a clash left to settle).
func settled(a, b *member) bool {
	na, nb := a.Code().Nameplate(), b.Code().Nameplate()
	return na != nb &&
		slices.Equal(a.bc.NameplatePeers(nb), []connector.PeerID{connector.PeerID(b.ID())}) &&
		slices.Equal(b.bc.NameplatePeers(na), []connector.PeerID{connector.PeerID(a.ID())})
}

// moves are m's Invited events for a nameplate clash.
func moves(m *member) []Invited {
	var out []Invited
	for _, inv := range eventsOf[Invited](m) {
		if errors.Is(inv.Reason, ErrNameplateTaken) {
			out = append(out, inv)
		}
	}
	return out
}

// TestInviteNameplateClash: two hosts on one nameplate (both took it
// without hearing the other: the test hook noListen) settle it once they
// hear each other: the one with the higher peer id moves to the lowest
// free nameplate, with exactly one Invited event wrapping
// ErrNameplateTaken; the other keeps its first code and gets no event.
// With new codes (both on 1) and with resumed ones (Config.InviteCode,
// both on 5).
func TestInviteNameplateClash(t *testing.T) {
	resumed, err := joincode.Parse("5-guitarist-revenge")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		code       joincode.Code // InviteCode of both
		np, moveTo int
	}{
		{"new", joincode.Code{}, 1, 2},
		{"resumed", resumed, 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			port := freeport.UDP(t)
			start := func(name string) *member {
				return secureRoom(t, port, name, func(c *Config) {
					c.Invite, c.InviteCode, c.noListen = true, tc.code, true
				})
			}
			a := start("a")
			first := map[*member]joincode.Code{a: a.Code()}
			b := start("b")
			first[b] = b.Code()
			for _, m := range []*member{a, b} {
				if np := first[m].Nameplate(); np != tc.np {
					t.Fatalf("first nameplate %d, want %d", np, tc.np)
				}
			}
			until(t, "the clash settled", func() bool { return settled(a, b) }, a, b)
			pump(a, b)
			keeps, yields := a, b
			if b.ID() < a.ID() {
				keeps, yields = b, a
			}
			if inv := eventsOf[Invited](keeps); len(inv) != 1 || inv[0].Code != first[keeps] || keeps.Code() != first[keeps] {
				t.Fatalf("the lower id's Invited events %v, want only its first code", inv)
			}
			inv := eventsOf[Invited](yields)
			if len(inv) != 2 || inv[0].Code != first[yields] || inv[0].Reason != nil {
				t.Fatalf("the higher id's Invited events %v, want its first code and one move", inv)
			}
			mv := inv[1]
			if !errors.Is(mv.Reason, ErrNameplateTaken) || mv.Code != yields.Code() {
				t.Fatalf("the move %v (%v), want the current code with ErrNameplateTaken", mv.Code, mv.Reason)
			}
			if np := mv.Code.Nameplate(); np != tc.moveTo {
				t.Fatalf("moved to %d, want %d", np, tc.moveTo)
			}
			if tc.code.Len() != 0 && mv.Code == tc.code {
				t.Fatal("the move kept the resumed code")
			}
		})
	}
}
