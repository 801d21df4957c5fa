package sdl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/ebitengine/purego"
)

// ErrUnavailable: SDL2 could not be loaded or could not open a window (no
// library, no display).
var ErrUnavailable = errors.New("sdl: SDL2 is not available")

// libNames are tried in order.
var libNames = map[string][]string{
	"linux":   {"libSDL2-2.0.so.0", "libSDL2-2.0.so", "libSDL2.so"},
	"freebsd": {"libSDL2-2.0.so.0", "libSDL2.so"},
	"darwin":  {"libSDL2-2.0.0.dylib", "libSDL2.dylib", "/opt/homebrew/lib/libSDL2.dylib", "/usr/local/lib/libSDL2.dylib"},
	"windows": {"SDL2.dll"},
}

// SDL2 constants (SDL.h, SDL_video.h, SDL_render.h, SDL_events.h).
const (
	initVideo           = 0x00000020
	windowPosUndefined  = 0x1FFF0000
	windowShown         = 0x00000004
	pixelFormatABGR8888 = 0x16762004 // bytes R, G, B, A on a little-endian machine
	pixelFormatRGBA8888 = 0x16462004 // bytes R, G, B, A on a big-endian machine
)

// lib holds the SDL2 functions this package calls.
type lib struct {
	Init                  func(flags uint32) int32
	Quit                  func()
	GetError              func() string
	GetCurrentVideoDriver func() string
	SetHint               func(name, value string) int32
	CreateWindow          func(title string, x, y, w, h int32, flags uint32) uintptr
	DestroyWindow         func(win uintptr)
	CreateRenderer        func(win uintptr, index int32, flags uint32) uintptr
	DestroyRenderer       func(ren uintptr)
	SetRenderDrawColor    func(ren uintptr, r, g, b, a uint8) int32
	RenderClear           func(ren uintptr) int32
	RenderFillRect        func(ren uintptr, rect *rect) int32
	RenderPresent         func(ren uintptr)
	RenderReadPixels      func(ren uintptr, rect *rect, format uint32, pixels []byte, pitch int32) int32
	GetRendererOutputSize func(ren uintptr, w, h *int32) int32
	PollEvent             func(ev *rawEvent) int32
}

// rect is SDL_Rect.
type rect struct{ X, Y, W, H int32 }

var (
	loadOnce sync.Once
	loaded   *lib
	loadErr  error
)

// Load loads the SDL2 library, once per process (SDL is never unloaded),
// and reports whether it is there: nil, or an error wrapping ErrUnavailable
// that says what to install. Open calls it; call it to check early.
func Load() error {
	_, err := load()
	return err
}

func load() (*lib, error) {
	loadOnce.Do(func() { loaded, loadErr = loadLib(libNames[runtime.GOOS]) })
	return loaded, loadErr
}

// loadLib loads the first library of names that opens.
func loadLib(names []string) (*lib, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no SDL2 library name known for %s", ErrUnavailable, runtime.GOOS)
	}
	var handle uintptr
	var errs []error
	for _, name := range names {
		h, err := openLib(name)
		if err == nil {
			handle = h
			break
		}
		errs = append(errs, err)
	}
	if handle == 0 {
		return nil, fmt.Errorf("%w: cannot load %s (install libsdl2-2.0-0): %w", ErrUnavailable, names[0], errors.Join(errs...))
	}
	l := new(lib)
	for _, f := range []struct {
		fptr any
		name string
	}{
		{&l.Init, "SDL_Init"},
		{&l.Quit, "SDL_Quit"},
		{&l.GetError, "SDL_GetError"},
		{&l.GetCurrentVideoDriver, "SDL_GetCurrentVideoDriver"},
		{&l.SetHint, "SDL_SetHint"},
		{&l.CreateWindow, "SDL_CreateWindow"},
		{&l.DestroyWindow, "SDL_DestroyWindow"},
		{&l.CreateRenderer, "SDL_CreateRenderer"},
		{&l.DestroyRenderer, "SDL_DestroyRenderer"},
		{&l.SetRenderDrawColor, "SDL_SetRenderDrawColor"},
		{&l.RenderClear, "SDL_RenderClear"},
		{&l.RenderFillRect, "SDL_RenderFillRect"},
		{&l.RenderPresent, "SDL_RenderPresent"},
		{&l.RenderReadPixels, "SDL_RenderReadPixels"},
		{&l.GetRendererOutputSize, "SDL_GetRendererOutputSize"},
		{&l.PollEvent, "SDL_PollEvent"},
	} {
		sym, err := libSymbol(handle, f.name)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, f.name, err)
		}
		purego.RegisterFunc(f.fptr, sym)
	}
	return l, nil
}

// rgba32 is the SDL pixel format whose bytes in memory are R, G, B, A.
func rgba32() uint32 {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return pixelFormatABGR8888
	}
	return pixelFormatRGBA8888
}
