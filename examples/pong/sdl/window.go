package sdl

import (
	"fmt"
	"image"
	"os"
)

// Config describes the window to open.
type Config struct {
	Title         string // window title; "" is allowed
	Width, Height int    // client area in pixels; 0 means 640x480
}

// Window is an SDL window with a renderer. Use it from one goroutine, the
// one that opened it (see the package doc).
type Window struct {
	lib    *lib
	win    uintptr
	ren    uintptr
	w, h   int
	ev     rawEvent
	driver string
	closed bool
}

// Open loads SDL2 (once per process), initialises its video subsystem and
// opens a window with a renderer. SDL's own choice of renderer can be
// changed with the SDL_RENDER_DRIVER environment variable (e.g. "software").
// Errors wrap ErrUnavailable when the library or a display is missing; SDL's
// invisible "offscreen" and "dummy" video drivers count as no display unless
// the SDL_VIDEODRIVER environment variable asks for them.
func Open(cfg Config) (*Window, error) {
	l, err := load()
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		cfg.Width, cfg.Height = 640, 480
	}
	// Leave SIGINT and SIGTERM to the Go runtime.
	l.SetHint("SDL_NO_SIGNAL_HANDLERS", "1")
	if l.Init(initVideo) != 0 {
		return nil, fmt.Errorf("%w: SDL_Init: %s", ErrUnavailable, l.GetError())
	}
	driver := l.GetCurrentVideoDriver()
	if (driver == "offscreen" || driver == "dummy") && os.Getenv("SDL_VIDEODRIVER") != driver {
		// SDL falls back to an invisible window when it finds no display.
		l.Quit()
		return nil, fmt.Errorf("%w: no display (SDL found only its %q video driver; is DISPLAY set?)", ErrUnavailable, driver)
	}
	w := &Window{lib: l, w: cfg.Width, h: cfg.Height, driver: driver}
	w.win = l.CreateWindow(cfg.Title, windowPosUndefined, windowPosUndefined, int32(cfg.Width), int32(cfg.Height), windowShown)
	if w.win == 0 {
		err := fmt.Errorf("%w: SDL_CreateWindow: %s", ErrUnavailable, l.GetError())
		l.Quit()
		return nil, err
	}
	w.ren = l.CreateRenderer(w.win, -1, 0)
	if w.ren == 0 {
		err := fmt.Errorf("%w: SDL_CreateRenderer: %s", ErrUnavailable, l.GetError())
		l.DestroyWindow(w.win)
		l.Quit()
		return nil, err
	}
	var ow, oh int32
	if l.GetRendererOutputSize(w.ren, &ow, &oh) == 0 && ow > 0 && oh > 0 {
		w.w, w.h = int(ow), int(oh)
	}
	return w, nil
}

// Driver returns the name of SDL's video driver ("x11", "wayland", ...).
func (w *Window) Driver() string { return w.driver }

// SetColor sets the colour of the next Clear and FillRect.
func (w *Window) SetColor(r, g, b, a uint8) { w.lib.SetRenderDrawColor(w.ren, r, g, b, a) }

// Clear fills the whole frame with the current colour.
func (w *Window) Clear() { w.lib.RenderClear(w.ren) }

// FillRect fills a rectangle with the current colour.
func (w *Window) FillRect(x, y, width, height int) {
	r := rect{X: int32(x), Y: int32(y), W: int32(width), H: int32(height)}
	w.lib.RenderFillRect(w.ren, &r)
}

// Present shows what was drawn since the last Present. The frame drawn
// next starts undefined: clear it first.
func (w *Window) Present() { w.lib.RenderPresent(w.ren) }

// PollEvent returns the next pending event, or false when there is none. It
// never blocks.
func (w *Window) PollEvent() (Event, bool) {
	if w.lib.PollEvent(&w.ev) == 0 {
		return Event{}, false
	}
	return w.ev.decode(), true
}

// ReadPixels returns what has been drawn since the last Present (call it
// before Present: SDL leaves the frame undefined after it).
func (w *Window) ReadPixels() (*image.RGBA, error) {
	img := image.NewRGBA(image.Rect(0, 0, w.w, w.h))
	if w.lib.RenderReadPixels(w.ren, nil, rgba32(), img.Pix, int32(img.Stride)) != 0 {
		return nil, fmt.Errorf("sdl: SDL_RenderReadPixels: %s", w.lib.GetError())
	}
	// SDL writes an alpha of 0 for some renderers: the window is opaque.
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xff
	}
	return img, nil
}

// Close destroys the renderer and the window and shuts SDL down. It is
// idempotent; no other method may be called after it.
func (w *Window) Close() {
	if w.closed {
		return
	}
	w.closed = true
	w.lib.DestroyRenderer(w.ren)
	w.lib.DestroyWindow(w.win)
	w.lib.Quit()
}
