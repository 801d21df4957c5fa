package game

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Goal is the arena's end condition (the -players flag): the world holds
// Want players and each has been seen away from its spawn point, so its
// keys reached the host and the host's world reached this peer.
type Goal struct {
	Want    int       // 0: no goal
	Reached time.Time // zero until it is
	moved   map[uint64]bool
}

// NewGoal returns a goal of want players.
func NewGoal(want int) *Goal { return &Goal{Want: want, moved: map[uint64]bool{}} }

// See looks at this tick's world; it reports true on the tick the goal is
// first reached.
func (g *Goal) See(w World) bool {
	if g.Want == 0 || !g.Reached.IsZero() {
		return false
	}
	for i, p := range w.Players {
		if x, y := Spawn(i); p.ID != 0 && (p.X != x || p.Y != y) {
			g.moved[p.ID] = true
		}
	}
	if w.Count() != g.Want {
		return false
	}
	for _, p := range w.Players {
		if p.ID != 0 && !g.moved[p.ID] {
			return false
		}
	}
	g.Reached = time.Now()
	return true
}

// Limits says when a game stops by itself.
type Limits struct {
	Ticks   int           // stop after this many ticks; 0: no limit
	Players int           // the Goal; 0: none
	Linger  time.Duration // go on this long after the goal, so that the others reach it too
	Timeout time.Duration // Headless fails if the goal is not reached by then; 0: no limit
}

// Done says whether the game should stop at tick: after Ticks, or Linger
// after the goal.
func (l Limits) Done(tick int, g *Goal) bool {
	return (l.Ticks > 0 && tick >= l.Ticks) || (!g.Reached.IsZero() && time.Since(g.Reached) >= l.Linger)
}

// PlayerList is the world's players as "id@x,y", in slot order, space
// separated.
func PlayerList(w World) string {
	var b strings.Builder
	for _, p := range w.Players {
		if p.ID != 0 {
			fmt.Fprintf(&b, " %016x@%d,%d", p.ID, p.X, p.Y)
		}
	}
	return strings.TrimSpace(b.String())
}

// TicksPerSecond is the game's rate, Ebitengine's default.
const TicksPerSecond = 60

// Headless runs the game without a window: TicksPerSecond ticks a second
// of Script input, until ctx ends or l says it is over. It writes to out
// a "status" line every second, a "seen" line when the goal is reached,
// and a "final" line at the end.
func Headless(ctx context.Context, s *Session, l Limits, out io.Writer) error {
	g := NewGoal(l.Players)
	tick := time.NewTicker(time.Second / TicksPerSecond)
	defer tick.Stop()
	var deadline <-chan time.Time
	if l.Timeout > 0 {
		t := time.NewTimer(l.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	status := time.Now()
	for n := 0; ; n++ {
		if l.Done(n, g) {
			fmt.Fprintf(out, "final %s players=%s\n", s, PlayerList(s.World()))
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-deadline:
			return fmt.Errorf("%d players not reached in %v: %s players=%s", l.Players, l.Timeout, s, PlayerList(s.World()))
		case <-tick.C:
		}
		if err := s.Tick(Script(s.ID(), uint32(n))); err != nil {
			return err
		}
		if g.See(s.World()) {
			fmt.Fprintf(out, "seen %s players=%s\n", s, PlayerList(s.World()))
		}
		if time.Since(status) >= time.Second {
			status = time.Now()
			fmt.Fprintf(out, "status %s\n", s)
		}
	}
}
