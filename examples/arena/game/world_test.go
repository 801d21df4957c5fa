package game

import (
	"strings"
	"testing"
	"time"
)

func TestSeatKeepsSlotsAndFreesLeavers(t *testing.T) {
	var w World
	w.Seat([]uint64{30, 10, 20})
	for i, id := range []uint64{30, 10, 20} {
		x, y := Spawn(i)
		if p := w.Players[i]; p != (Player{ID: id, X: x, Y: y}) {
			t.Fatalf("slot %d: %+v, want player %d at its spawn %d,%d", i, p, id, x, y)
		}
	}
	w.Move(10, Right|Down)
	w.Seat([]uint64{10, 20, 40}) // 30 left, 40 came
	if w.Players[0].ID != 40 || w.Slot(10) != 1 || w.Slot(20) != 2 || w.Slot(30) != -1 || w.Count() != 3 {
		t.Fatalf("after 30 left and 40 came: %+v", w.Players)
	}
	if x, y := Spawn(1); w.Players[1].X != x+Speed || w.Players[1].Y != y+Speed {
		t.Errorf("player 10 lost its position: %+v", w.Players[1])
	}
	many := make([]uint64, MaxPlayers+3)
	for i := range many {
		many[i] = uint64(100 + i)
	}
	w.Seat(many)
	if w.Count() != MaxPlayers {
		t.Errorf("%d members: %d players, want %d", len(many), w.Count(), MaxPlayers)
	}
	w.Seat([]uint64{0})
	if w.Count() != 0 {
		t.Errorf("id 0 seated: %+v", w.Players)
	}
}

func TestMoveStaysInTheArena(t *testing.T) {
	var w World
	w.Seat([]uint64{7})
	for range Width {
		w.Move(7, Left|Up)
	}
	if p := w.Players[0]; p.X != Radius || p.Y != Radius {
		t.Errorf("after walking into the top left corner: %d,%d, want %d,%d", p.X, p.Y, Radius, Radius)
	}
	for range Width {
		w.Move(7, Right|Down)
	}
	if p := w.Players[0]; p.X != Width-Radius || p.Y != Height-Radius {
		t.Errorf("after walking into the bottom right corner: %d,%d, want %d,%d", p.X, p.Y, Width-Radius, Height-Radius)
	}
	w.Move(8, Left) // not a player: nothing happens
	w.Move(7, Left|Right|Up|Down)
	if p := w.Players[0]; p.X != Width-Radius || p.Y != Height-Radius {
		t.Errorf("opposite keys moved the player to %d,%d", p.X, p.Y)
	}
}

// The scripted walk moves every player, keeps it near its spawn, and
// keeps the players of neighbouring slots apart.
func TestScriptWalksASmallSquare(t *testing.T) {
	for id := uint64(1); id <= 4; id++ {
		var w World
		w.Seat([]uint64{id})
		x0, y0 := Spawn(0)
		moved := false
		for tick := range uint32(200) {
			w.Move(id, Script(id, tick))
			p := w.Players[0]
			moved = moved || p.X != x0 || p.Y != y0
			if d := max(abs(p.X-x0), abs(p.Y-y0)); d > 10*Speed {
				t.Fatalf("id %d, tick %d: %d pixels from its spawn", id, tick, d)
			}
		}
		if !moved {
			t.Errorf("id %d never moved", id)
		}
	}
	// Neighbouring spawn points are far enough apart for two walks.
	for i := range MaxPlayers {
		x1, y1 := Spawn(i)
		x2, y2 := Spawn((i + 1) % MaxPlayers)
		if d := max(abs(x1-x2), abs(y1-y2)); d < 2*Radius+2*10*Speed {
			t.Errorf("spawns %d and %d are %d pixels apart", i, i+1, d)
		}
	}
}

func abs(v int32) int32 { return max(v, -v) }

func TestGoal(t *testing.T) {
	var w World
	w.Seat([]uint64{1, 2})
	g := NewGoal(2)
	if g.See(w) {
		t.Fatal("reached before anyone moved")
	}
	w.Move(1, Right)
	if g.See(w) {
		t.Fatal("reached with one player moved")
	}
	w.Move(2, Left)
	w.Move(1, Left) // back at its spawn: it was seen moved
	if !g.See(w) || g.Reached.IsZero() {
		t.Fatal("not reached with both moved")
	}
	if g.See(w) {
		t.Error("reached twice")
	}
	l := Limits{Players: 2, Linger: time.Hour}
	if l.Done(1000, g) {
		t.Error("done before the linger")
	}
	if !(Limits{Ticks: 10}).Done(10, NewGoal(0)) || (Limits{}).Done(1e6, NewGoal(0)) {
		t.Error("Ticks")
	}
	if s := PlayerList(w); strings.Count(s, "@") != 2 || !strings.HasPrefix(s, "0000000000000001@") {
		t.Errorf("PlayerList: %q", s)
	}
}
