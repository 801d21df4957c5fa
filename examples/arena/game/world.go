package game

import "image/color"

// The arena's size in pixels, and its players'.
const (
	Width      = 640
	Height     = 480
	Radius     = 16 // a player's disc
	Speed      = 4  // pixels per tick while an arrow key is held
	MaxPlayers = 8
)

// World is the state the host publishes (replica.Publish) and every
// other peer observes: small, flat, integer fields, so that a delta is a
// few bytes (replica sends only the fields that changed).
type World struct {
	Host    uint64 // the room id of the peer that publishes it
	Tick    uint32 // the host's tick: one per frame
	Players [MaxPlayers]Player
}

// Player is one slot of the world; its index is its colour.
type Player struct {
	ID   uint64 // the player's room id; 0: a free slot
	X, Y int32  // the centre of its disc
}

// Keys is a player's input: the arrow keys held.
type Keys uint8

// The bits of Keys.
const (
	Left Keys = 1 << iota
	Right
	Up
	Down
)

// Colors are the players' colours, by slot.
var Colors = [MaxPlayers]color.RGBA{
	{0xe6, 0x19, 0x4b, 0xff}, // red
	{0x3c, 0xb4, 0x4b, 0xff}, // green
	{0xff, 0xe1, 0x19, 0xff}, // yellow
	{0x43, 0x63, 0xd8, 0xff}, // blue
	{0xf5, 0x82, 0x31, 0xff}, // orange
	{0x91, 0x1e, 0xb4, 0xff}, // purple
	{0x42, 0xd4, 0xf4, 0xff}, // cyan
	{0xf0, 0x32, 0xe6, 0xff}, // magenta
}

// Background is the arena's colour.
var Background = color.RGBA{0x20, 0x20, 0x28, 0xff}

// Spawn is where the player of slot i starts: the slots lie on a circle
// around the centre, 45° apart.
func Spawn(i int) (x, y int32) {
	// cos and sin of 45°·i, times 160, rounded (no math: exact on every platform)
	dx := [MaxPlayers]int32{160, 113, 0, -113, -160, -113, 0, 113}
	dy := [MaxPlayers]int32{0, 113, 160, 113, 0, -113, -160, -113}
	return Width/2 + dx[i], Height/2 + dy[i]
}

// Count is the number of players in the world.
func (w World) Count() int {
	n := 0
	for _, p := range w.Players {
		if p.ID != 0 {
			n++
		}
	}
	return n
}

// Slot returns the slot of player id, or -1.
func (w World) Slot(id uint64) int {
	for i, p := range w.Players {
		if id != 0 && p.ID == id {
			return i
		}
	}
	return -1
}

// Seat makes the world's players exactly members (at most MaxPlayers of
// them, in the order given): a player no longer there frees its slot, a
// new one takes the lowest free slot, at its spawn point. Players who
// stay keep their slot (their colour) and position.
func (w *World) Seat(members []uint64) {
	in := make(map[uint64]bool, len(members))
	for _, id := range members {
		in[id] = true
	}
	for i, p := range w.Players {
		if p.ID != 0 && !in[p.ID] {
			w.Players[i] = Player{}
		}
	}
	for _, id := range members {
		if id == 0 || w.Slot(id) >= 0 {
			continue
		}
		for i := range w.Players {
			if w.Players[i].ID == 0 {
				x, y := Spawn(i)
				w.Players[i] = Player{ID: id, X: x, Y: y}
				break
			}
		}
	}
}

// Move moves player id by its keys, for one tick, inside the arena.
func (w *World) Move(id uint64, k Keys) {
	i := w.Slot(id)
	if i < 0 {
		return
	}
	p := &w.Players[i]
	if k&Left != 0 {
		p.X -= Speed
	}
	if k&Right != 0 {
		p.X += Speed
	}
	if k&Up != 0 {
		p.Y -= Speed
	}
	if k&Down != 0 {
		p.Y += Speed
	}
	p.X = min(max(p.X, Radius), Width-Radius)
	p.Y = min(max(p.Y, Radius), Height-Radius)
}

// Script is the scripted input of -script and -headless: each player
// walks a square (10 ticks each way, 40 pixels a side), starting in a
// direction its id picks, so that every player moves and none leaves
// the neighbourhood of its spawn point.
func Script(id uint64, tick uint32) Keys {
	dirs := [4]Keys{Right, Down, Left, Up}
	return dirs[(uint64(tick/10)+id)%4]
}
