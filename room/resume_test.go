package room

import (
	"errors"
	"testing"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/joincode"
)

// TestInviteCode: a host restarted with Config.InviteCode offers the code
// it showed before (nameplate and words), and a joiner with it gets in;
// a host whose InviteCode's nameplate another host offers fails
// (ErrNameplateTaken); InviteCode without Invite is refused.
func TestInviteCode(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	before, _ := joincode.Parse("3-guitarist-revenge")
	h, code := host(t, port, func(c *Config) { c.InviteCode = before })
	if code != before {
		t.Fatalf("first code %v, want the InviteCode", code)
	}
	j := joiner(t, port, before.Reveal())
	until(t, "the joiner in", func() bool { return hasPeer(h, j.ID()) && hasPeer(j, h.ID()) }, h, j)
	until(t, "the code renewed", func() bool { return len(eventsOf[Invited](h)) == 2 }, h, j)
	if next := h.Code(); next == before || next.Nameplate() != 3 {
		t.Fatalf("the code after the join is %v", next)
	}

	// The second host listens for nameplates for 1.5 of its Intervals:
	// fifteen of the first host's beacons.
	cfg := Config{AppID: "room-secure-test", Codec: newCodec(), Loopback: true, UDPPort: port, Interval: 10 * h.cfg.Interval, Invite: true, InviteCode: before}
	if r, err := New(t.Context(), &cfg); !errors.Is(err, ErrNameplateTaken) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("a second host on nameplate 3: %v, want ErrNameplateTaken", err)
	}
	cfg.Invite = false
	if r, err := New(t.Context(), &cfg); !errors.Is(err, ErrInvalidConfig) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("InviteCode without Invite: %v, want ErrInvalidConfig", err)
	}
}
