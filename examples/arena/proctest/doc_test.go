// Package proctest runs the arena command as separate processes: three
// headless players on loopback, and a window under Xvfb whose frame is
// checked pixel by pixel. It has only tests, and does not link
// Ebitengine itself (whose init needs a display): TestMain builds the
// command twice, without cgo (headless only, runs anywhere) and with cgo
// (the window, which needs the X11/GL dev packages; without them the
// window test skips).
package proctest
