package sdl

import "encoding/binary"

// Event types (SDL_EventType).
const (
	EventQuit    uint32 = 0x100
	EventKeyDown uint32 = 0x300
	EventKeyUp   uint32 = 0x301
)

// Scancodes (SDL_scancode.h) of the keys pong uses.
const (
	ScancodeA      int32 = 4
	ScancodeD      int32 = 7
	ScancodeQ      int32 = 20
	ScancodeEscape int32 = 41
	ScancodeRight  int32 = 79
	ScancodeLeft   int32 = 80
)

// rawEvent is SDL_Event: a 56-byte union on every platform SDL2 supports
// (Uint8 padding[56]), aligned like the pointers it may hold.
type rawEvent struct {
	_ [0]uint64
	b [56]byte
}

// Event is the part of an SDL_Event that pong reads.
type Event struct {
	Type     uint32 // EventQuit, EventKeyDown, EventKeyUp, or another SDL_EventType
	Scancode int32  // the key, for EventKeyDown and EventKeyUp
	Repeat   bool   // a key repeat, for EventKeyDown
}

// decode reads the event type and, for keyboard events, the
// SDL_KeyboardEvent fields: Uint32 type (offset 0), timestamp (4), windowID
// (8), Uint8 state (12), repeat (13), two padding bytes, then SDL_Keysym
// keysym (16) whose first field is SDL_Scancode scancode (an int enum).
func (r *rawEvent) decode() Event {
	ne := binary.NativeEndian
	ev := Event{Type: ne.Uint32(r.b[0:])}
	if ev.Type == EventKeyDown || ev.Type == EventKeyUp {
		ev.Repeat = r.b[13] != 0
		ev.Scancode = int32(ne.Uint32(r.b[16:]))
	}
	return ev
}
