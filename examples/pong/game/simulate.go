package game

import "fmt"

// Result is the outcome of a game.
type Result struct {
	Frame      uint32 // the end frame
	HostScore  int
	GuestScore int
	Digest     uint64
}

// Simulate plays in memory the game that two headless players with this
// seed play over the network in lockstep: host and guest AI, the guest
// answering every BallMsg with its paddle, the host using the answer to
// frame f+1-LockstepDelay. end must be > 0. The Digest is the host's; an
// error means the guest disagreed with the host, which would be a bug.
func Simulate(seed uint64, end uint32) (Result, error) {
	host := NewHost(&HostConfig{Seed: seed, End: end})
	guest := NewGuest()
	hostAI, guestAI := NewAI(seed, HostStream), NewAI(seed, GuestStream)
	hostX, guestX := Width/2, Width/2
	deliver := func() error {
		if err := guest.OnBall(host.Ball()); err != nil {
			return err
		}
		guest.OnHostPaddle(host.Paddle())
		guestX = guestAI.Move(guestX, guest.Ball())
		host.OnGuestPaddle(&PaddleMsg{Frame: guest.Frame(), X: guestX})
		return nil
	}
	if err := deliver(); err != nil {
		return Result{}, err
	}
	for !host.Over() {
		if !host.Ready() {
			return Result{}, fmt.Errorf("pong: host not ready at frame %d", host.State().Frame)
		}
		hostX = hostAI.Move(hostX, host.State().Ball)
		host.Step(hostX, true)
		if err := deliver(); err != nil {
			return Result{}, err
		}
	}
	s := host.State()
	if guest.Digest() != host.Digest() {
		return Result{}, fmt.Errorf("pong: guest digest %016x, host %016x", guest.Digest(), host.Digest())
	}
	return Result{Frame: s.Frame, HostScore: s.HostScore, GuestScore: s.GuestScore, Digest: host.Digest()}, nil
}

// AI streams: each player's AI draws from its own stream of the seed.
const (
	HostStream  = 1
	GuestStream = 2
)
