// Package sdl is a very small SDL2 binding for examples/pong, loaded at run
// time with github.com/ebitengine/purego: no cgo, no SDL headers at build
// time. It opens one window with a 2D renderer, fills rectangles, reads the
// keyboard from the event queue, and reads the rendered pixels back for
// screenshots.
//
// The library (libSDL2-2.0.so.0 on Linux, Debian package libsdl2-2.0-0) is
// looked for by Open; when it is missing, or SDL finds no display, Open
// returns an error wrapping ErrUnavailable and the program can fall back to
// a terminal.
//
// SDL wants its video calls on one OS thread (on some systems the main
// one): call runtime.LockOSThread in an init function of package main and
// use a Window from the main goroutine only.
package sdl
