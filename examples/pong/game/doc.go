// Package game is the pong of examples/pong without any I/O: the court, the
// paddles and the ball, a fixed 60 Hz step, a deterministic AI, the 180°
// flip between the two players' views, the byte messages the two players
// exchange, and a digest of the game.
//
// # Who owns what
//
// The host is authoritative: it owns the ball and the score and steps the
// game ([Host.Step]); after every step it sends a [BallMsg] (the whole
// authoritative state: frame, ball, score, end frame) and a [PaddleMsg] with
// its own paddle. The guest mirrors the host ([Guest.OnBall]) and sends its
// own paddle every frame. Every position on the wire is in the sender's own
// view, where the sender plays at the bottom of the court; the receiver
// rotates it by 180° ([Flip], [FlipX]) so each player sees themself at the
// bottom.
//
// # Same game, same digest
//
// The host digests every BallMsg it sends and the guest every BallMsg it
// receives ([Digest]); over a reliable stream (TCP) both see the same
// sequence, so at the end frame (announced by the host in every BallMsg)
// both print the same score and digest.
//
// In lockstep mode (the headless game) the host steps frame f+1 with the
// guest's reply to frame f+1-[LockstepDelay]: it waits for that reply, so
// the game depends only on the seed, whatever the network timing, and
// [Simulate] plays the very same game in memory. A windowed host never
// waits: it uses the newest guest paddle it has, so the game goes on when
// the network stalls.
package game
