package room_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// A room in compat mode talks to peers of the Python cable_car 1.0.1: here
// two compat rooms at known addresses stand in for both ends. The stream
// carries the application's messages only, so groups and work queues are
// refused, and a leave cannot be told from a crash.
func ExampleConfig_compat() {
	ctx := context.Background()
	host, err := room.New(ctx, &room.Config{Compat: true, Listen: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	guest, err := room.New(ctx, &room.Config{Compat: true, Dial: []string{host.Addr().String()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("JoinGroup:", errors.Is(guest.JoinGroup("red"), room.ErrCompat))

	ev, err := host.Recv(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("host: %T, peer %d\n", ev, ev.(room.Joined).Peer) // ids drawn by the room: 1, 2, ...
	for {
		if ev, err = guest.Recv(ctx); err != nil {
			fmt.Println(err)
			return
		}
		if _, ok := ev.(room.Joined); ok {
			break
		}
	}
	if err := guest.SendAll(&message.MsgQuit{}); err != nil {
		fmt.Println(err)
		return
	}
	_ = guest.Shutdown(ctx) // the MsgQuit leaves, and no goodbye after it

	for range 2 {
		ev, err := host.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		switch ev := ev.(type) {
		case room.Message:
			fmt.Println("host:", ev.Msg.MessageName())
		case room.Left:
			fmt.Println("host: guest left, as if it crashed:", errors.Is(ev.Reason, room.ErrPeerReset))
		}
	}
	// Output:
	// JoinGroup: true
	// host: room.Joined, peer 1
	// host: MsgQuit
	// host: guest left, as if it crashed: true
}
