package game_test

import (
	"fmt"

	"github.com/cablecar-go/cablecar/examples/pong/game"
)

// Each player plays at the bottom of its own view: what one sends, the other
// rotates by 180°.
func ExampleFlip() {
	// The host sees the ball near its own paddle, moving down toward it...
	b := game.Ball{X: 100, Y: 600, VX: 3, VY: 5}
	// ...the guest sees it near the far end, moving up, away from itself.
	fmt.Printf("%+v\n", game.Flip(b))
	// The host's paddle at x 100 is at x 380 in the guest's view.
	fmt.Println(game.FlipX(100))
	// Output:
	// {X:380 Y:40 VX:-3 VY:-5}
	// 380
}

// The headless game over the network is the game Simulate plays in memory.
func ExampleSimulate() {
	r, err := game.Simulate(7, 1200)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("frame %d, host %d, guest %d, digest %016x\n", r.Frame, r.HostScore, r.GuestScore, r.Digest)
	// Output: frame 1200, host 1, guest 6, digest 1adc38b5a158b5e5
}

// A host and a guest over any reliable stream: here, by hand.
func ExampleHost() {
	host := game.NewHost(&game.HostConfig{Seed: 1, End: 3})
	guest := game.NewGuest()
	for {
		// The host sends its state; the guest mirrors it and answers with
		// its paddle, in its own view.
		if err := guest.OnBall(host.Ball()); err != nil {
			fmt.Println(err)
			return
		}
		host.OnGuestPaddle(&game.PaddleMsg{Frame: guest.Frame(), X: game.Width / 2})
		if host.Over() {
			break
		}
		host.Step(game.Width/2, false)
	}
	fmt.Println(guest.Over(), guest.Digest() == host.Digest())
	// Output: true true
}
