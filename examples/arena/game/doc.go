// Package game is the arena without its window: the world (World, its
// players and their moves), the netcode (Session: a room.Room, the
// replica Hub on it, the world published by the host and observed by the
// others, inputs as messages) and the headless loop. It does not import
// Ebitengine, so that it builds and runs without cgo or a display; the
// arena command (the package above) draws it in a window.
package game
