package sdl

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unsafe"
)

func TestRawEventIsSDLEventSized(t *testing.T) {
	if s, a := unsafe.Sizeof(rawEvent{}), unsafe.Alignof(rawEvent{}); s != 56 || a != 8 {
		t.Errorf("rawEvent: size %d align %d, want 56 and 8 (SDL_Event)", s, a)
	}
}

func TestDecodeKeyboardEvent(t *testing.T) {
	var r rawEvent
	ne := binary.NativeEndian
	ne.PutUint32(r.b[0:], EventKeyDown)
	ne.PutUint32(r.b[4:], 12345) // timestamp
	ne.PutUint32(r.b[8:], 1)     // windowID
	r.b[12] = 1                  // SDL_PRESSED
	r.b[13] = 1                  // repeat
	ne.PutUint32(r.b[16:], uint32(ScancodeLeft))
	ne.PutUint32(r.b[20:], 0x40000050) // SDLK_LEFT
	if got, want := r.decode(), (Event{Type: EventKeyDown, Scancode: ScancodeLeft, Repeat: true}); got != want {
		t.Errorf("decode = %+v, want %+v", got, want)
	}
	ne.PutUint32(r.b[0:], EventQuit)
	if got := r.decode(); got != (Event{Type: EventQuit}) {
		t.Errorf("quit event decodes to %+v", got)
	}
}

func TestMissingLibraryIsReported(t *testing.T) {
	_, err := loadLib([]string{"libSDL2-does-not-exist.so.0"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "libSDL2-does-not-exist.so.0") || !strings.Contains(msg, "install libsdl2-2.0-0") {
		t.Errorf("message %q does not name the library and the package to install", msg)
	}
}
