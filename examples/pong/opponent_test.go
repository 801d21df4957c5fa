package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/room"
)

// TestOpponentMessagesThenLeave: the opponent's messages come out of Recv in
// order, then, once it has left, the reason (a clean leave), again on every
// later call, as a Messenger's final error.
func TestOpponentMessagesThenLeave(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, err := room.New(ctx, &room.Config{AppID: appID, Codec: game.NewCodec(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := room.New(ctx, &room.Config{AppID: appID, Codec: game.NewCodec(), Dial: []string{a.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for len(b.Peers()) == 0 { // b has joined a when a is in b's room
		if _, err := b.Recv(ctx); err != nil {
			t.Fatal(err)
		}
	}
	op := &opponent{r: a, id: b.ID()}
	for seq := range uint32(3) {
		if err := b.Send(a.ID(), &game.PingMsg{Seq: seq + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for want := range uint32(3) {
		msg, err := op.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv %d: %v", want+1, err)
		}
		if p, ok := msg.(*game.PingMsg); !ok || p.Seq != want+1 {
			t.Fatalf("Recv %d: %#v, want ping %d", want+1, msg, want+1)
		}
	}
	for range 2 {
		if msg, err := op.Recv(ctx); !errors.Is(err, room.ErrPeerLeft) {
			t.Fatalf("after the messages: %v, %v; want room.ErrPeerLeft", msg, err)
		}
	}
	if err := op.Xfer(); !errors.Is(err, room.ErrPeerLeft) {
		t.Errorf("Xfer after the leave: %v, want room.ErrPeerLeft", err)
	}
}
