package game

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// sessions starts n sessions on loopback discovery, on a beacon port and
// an application id of the test's own.
func sessions(t *testing.T, n int) []*Session {
	t.Helper()
	port := freeport.UDP(t)
	var ss []*Session
	for i := range n {
		s, err := NewSession(context.Background(), Options{
			AppID: fmt.Sprintf("arena-test-%d", port), Name: fmt.Sprint("p", i), Loopback: true, UDPPort: port,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		ss = append(ss, s)
	}
	return ss
}

// tickUntil ticks every session with the scripted input until cond holds,
// or fails after a generous deadline.
func tickUntil(t *testing.T, ss []*Session, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(time.Second / TicksPerSecond)
	defer tick.Stop()
	for n := uint32(0); !cond(); n++ {
		if time.Now().After(deadline) {
			for _, s := range ss {
				t.Logf("%s players=%s", s, PlayerList(s.World()))
			}
			t.Fatalf("no %s within 20 s", what)
		}
		<-tick.C
		for _, s := range ss {
			if err := s.Tick(Script(s.ID(), n)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// sees reports whether s's world holds exactly the players ids, each
// moved away from its spawn point by its own (scripted) keys.
func sees(s *Session, ids []uint64, g *Goal) bool {
	w := s.World()
	got := []uint64{}
	for _, p := range w.Players {
		if p.ID != 0 {
			got = append(got, p.ID)
		}
	}
	slices.Sort(got)
	return g.See(w) && slices.Equal(got, ids)
}

// Three players form a game: the lowest id hosts, everyone's keys reach
// it as messages and everyone sees every player move in the replicated
// world; when the host leaves, the next lowest id takes over with the
// world it saw, less the player who left, and the game goes on.
func TestThreePlayersAndTheHostLeaves(t *testing.T) {
	leakcheck.Check(t)
	ss := sessions(t, 3)
	var ids []uint64
	for _, s := range ss {
		ids = append(ids, s.ID())
	}
	slices.Sort(ids)
	goals := []*Goal{NewGoal(3), NewGoal(3), NewGoal(3)}
	seen := make([]bool, 3)
	tickUntil(t, ss, "game of 3", func() bool {
		for i, s := range ss {
			seen[i] = seen[i] || sees(s, ids, goals[i])
		}
		return !slices.Contains(seen, false)
	})
	var host *Session
	for _, s := range ss {
		if s.Host() != ids[0] {
			t.Errorf("%016x takes %016x for the host, want the lowest id %016x", s.ID(), s.Host(), ids[0])
		}
		if w := s.World(); w.Host != ids[0] {
			t.Errorf("%016x sees a world published by %016x", s.ID(), w.Host)
		}
		if s.ID() == ids[0] {
			host = s
		}
	}
	slot := map[uint64]int{}
	for _, id := range ids[1:] {
		slot[id] = host.World().Slot(id)
	}

	host.Close()
	rest := slices.DeleteFunc(slices.Clone(ss), func(s *Session) bool { return s == host })
	goals = []*Goal{NewGoal(2), NewGoal(2)}
	seen = make([]bool, 2)
	tickUntil(t, rest, "game of 2 after the host left", func() bool {
		for i, s := range rest {
			seen[i] = seen[i] || (sees(s, ids[1:], goals[i]) && s.World().Host == ids[1])
		}
		return !slices.Contains(seen, false)
	})
	for _, s := range rest {
		for _, id := range ids[1:] {
			if got := s.World().Slot(id); got != slot[id] {
				t.Errorf("%016x sees player %016x in slot %d, it was in %d (its colour changed)", s.ID(), id, got, slot[id])
			}
		}
		if s.Resyncs() != 0 {
			t.Errorf("%016x: %d resyncs", s.ID(), s.Resyncs())
		}
	}
}

// The host counts the bytes it frames, and a guest far fewer: inputs
// only when its keys change.
func TestBytesOut(t *testing.T) {
	leakcheck.Check(t)
	ss := sessions(t, 2)
	g := []*Goal{NewGoal(2), NewGoal(2)}
	tickUntil(t, ss, "game of 2", func() bool { return g[0].See(ss[0].World()) || g[1].See(ss[1].World()) })
	h, c := ss[0], ss[1]
	if c.ID() == c.Host() {
		h, c = c, h
	}
	if h.BytesOut() == 0 || c.BytesOut() == 0 || c.BytesOut() >= h.BytesOut() {
		t.Errorf("host framed %d bytes, the guest %d", h.BytesOut(), c.BytesOut())
	}
}
