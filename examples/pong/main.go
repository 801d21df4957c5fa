// Pong is a two-player pong over the LAN: an example of cablecar inside a
// game loop.
//
// Two players find each other with the BroadcastConnector (one-to-one), the
// one with the lower peer id hosts, and they play. The host owns the ball:
// every frame it sends its paddle and the ball state as byte messages; the
// guest sends its paddle. Each side rotates what it receives by 180°, so
// everyone sees themself at the bottom. The loop runs at a fixed 60 Hz, calls
// Xfer, drains Get, moves and Sends, then calls Xfer again so that the
// frame's messages leave in that frame; it never waits for the network. The
// round trip and messages per second are shown on screen. The round trip is
// the game's: a ping and its answer each leave with the Xfer that ends the
// frame that sent them and are read by the first Xfer after they arrive,
// so at 60 Hz it includes up to one frame (17 ms) of waiting besides the
// network. Headless, it is the network's.
//
// On one machine, in two terminals:
//
//	go run ./examples/pong -lo
//
// On two machines of one LAN, run "go run ./examples/pong" on each (beacons
// on UDP port 8224, "-port" changes it). Or give the address: "-listen
// 127.0.0.1:8230" on one side, "-dial 127.0.0.1:8230" on the other.
//
// Keys: Left/Right or A/D move your paddle, Esc or Q quits. -ai lets the
// computer play for you.
//
// The window is drawn by SDL2, loaded at run time through purego (no cgo):
// install libSDL2 (Debian: apt-get install libsdl2-2.0-0). Without it, or
// without a display, pong says so and plays in the terminal instead.
//
// Headless, the game is deterministic: run in two terminals
//
//	go run ./examples/pong -lo -headless -frames 1200 -seed 7
//
// and both print the same final line, score and digest (the digest is a hash
// of every ball state the host sent, which the guest computes over what it
// received). Headless players run in lockstep, as fast as the connection
// allows: the host waits for the guest's answer to frame f-3 before it
// steps frame f+1, so the game depends on the seed only.
//
// Flags for tests: -screenshot FILE -screenshot-frame N saves frame N of the
// window as a PNG and prints where the paddles and the ball were drawn;
// -trace FILE makes the host write every ball state to FILE.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/cablecar-go/cablecar/connector"
)

func init() {
	// SDL wants all its video calls on one OS thread, the main one.
	runtime.LockOSThread()
}

// options are the command-line flags.
type options struct {
	headless bool
	term     bool
	ai       bool
	lo       bool
	port     int
	listen   string
	dial     string
	frames   uint
	seed     uint64
	points   int
	timeout  time.Duration
	linger   time.Duration

	screenshot      string
	screenshotFrame int
	trace           string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("pong", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := new(options)
	fs.BoolVar(&o.headless, "headless", false, "no window: AI players, as fast as possible, print the final score and digest")
	fs.BoolVar(&o.term, "term", false, "draw in the terminal instead of a window")
	fs.BoolVar(&o.ai, "ai", false, "the computer plays your paddle")
	fs.BoolVar(&o.lo, "lo", false, "find the other player on this machine only (loopback)")
	fs.IntVar(&o.port, "port", connector.DefaultNativeUDPPort, "UDP port of the discovery beacons")
	fs.StringVar(&o.listen, "listen", "", "wait for the other player on this address (host:port) instead of discovery")
	fs.StringVar(&o.dial, "dial", "", "connect to the other player at this address (host:port) instead of discovery")
	fs.UintVar(&o.frames, "frames", 0, "end the game at this frame (host; 0: first to -points)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the serves and of the AI")
	fs.IntVar(&o.points, "points", 7, "points that win a game without -frames")
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "give up finding the other player after this long")
	fs.DurationVar(&o.linger, "linger", 3*time.Second, "keep the final score on screen this long")
	fs.StringVar(&o.screenshot, "screenshot", "", "save a frame of the window to this PNG file")
	fs.IntVar(&o.screenshotFrame, "screenshot-frame", 120, "frame number (from 0) that -screenshot saves")
	fs.StringVar(&o.trace, "trace", "", "host: write every ball state to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.listen != "" && o.dial != "" {
		return nil, fmt.Errorf("-listen and -dial exclude each other")
	}
	if o.frames > 1<<31 {
		return nil, fmt.Errorf("-frames %d: too many", o.frames)
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "pong:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err = run(ctx, o, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pong:", err)
		os.Exit(1)
	}
}
