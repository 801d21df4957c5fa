package room_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// Two rooms at known addresses on this machine: host listens, guest dials
// it. Each game loop runs Xfer, Get, Send, Xfer; Recv stands in for it
// here.
func ExampleNew() {
	ctx := context.Background()
	host, err := room.New(ctx, &room.Config{AppID: "example", Listen: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	guest, err := room.New(ctx, &room.Config{AppID: "example", Dial: []string{host.Addr().String()}})
	if err != nil {
		fmt.Println(err)
		return
	}

	ev, err := host.Recv(ctx) // the guest's hello is done
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("host: %T\n", ev)
	if err := host.SendAll(&message.MsgJoin{}); err != nil {
		fmt.Println(err)
		return
	}
	_ = host.Xfer()

	for range 2 {
		ev, err := guest.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		switch ev := ev.(type) {
		case room.Joined:
			fmt.Println("guest: joined the host:", ev.Peer == host.ID())
		case room.Message:
			fmt.Printf("guest: %s\n", ev.Msg.MessageName())
		}
	}
	guest.Close() // says goodbye

	ev, err = host.Recv(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	left := ev.(room.Left)
	fmt.Println("host: guest left cleanly:", errors.Is(left.Reason, room.ErrPeerLeft))
	// Output:
	// host: room.Joined
	// guest: joined the host: true
	// guest: MsgJoin
	// host: guest left cleanly: true
}

// Groups, in a game loop: a member receives what is published to its
// group, and a member that joins later receives the group's last message.
func ExampleRoom_Publish() {
	ctx := context.Background()
	host, err := room.New(ctx, &room.Config{AppID: "example-groups", Listen: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	// Kept as the group's last message, for the members to come.
	_ = host.Publish("scores", &message.MsgIdentify{Username: "alice", Hostname: "10"})

	guest, err := room.New(ctx, &room.Config{AppID: "example-groups", Dial: []string{host.Addr().String()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guest.Close()
	_ = guest.JoinGroup("scores") // announced to every peer, now and later

	for frame := time.Tick(time.Millisecond); ; <-frame {
		for _, r := range []*room.Room{host, guest} {
			_ = r.Xfer()
			for ev := r.Get(); ev != nil; ev = r.Get() {
				if m, ok := ev.(room.Message); ok {
					id := m.Msg.(*message.MsgIdentify)
					fmt.Println(m.Group, id.Username, id.Hostname)
					return
				}
			}
			_ = r.Xfer()
		}
	}
	// Output:
	// scores alice 10
}

// A shared work queue: the host produces jobs, the guest asks for two and
// gets the two oldest; nobody else gets them.
func ExampleRoom_Produce() {
	ctx := context.Background()
	host, err := room.New(ctx, &room.Config{AppID: "example-work", Listen: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	for _, job := range []string{"a", "b", "c"} {
		_ = host.Produce("jobs", &message.MsgIdentify{Username: job})
	}
	guest, err := room.New(ctx, &room.Config{AppID: "example-work", Dial: []string{host.Addr().String()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guest.Close()

	got := 0
	for frame := time.Tick(time.Millisecond); got < 2; <-frame {
		for _, r := range []*room.Room{host, guest} {
			_ = r.Xfer()
			for ev := r.Get(); ev != nil; ev = r.Get() {
				switch ev := ev.(type) {
				case room.Joined:
					if r == guest {
						_ = guest.Notify("jobs", 2)
					}
				case room.Item:
					fmt.Println(ev.Group, ev.Msg.(*message.MsgIdentify).Username)
					got++
				}
			}
			_ = r.Xfer()
		}
	}
	// Output:
	// jobs a
	// jobs b
}

// The local helpers: keep position updates in a Queue and use only the
// newest each frame; take chat lines a few at a time.
func ExampleQueue() {
	positions := room.NewQueue[int](64)
	for x := range 5 {
		positions.Push(x) // as Get returns them
	}
	newest, _ := positions.Newest() // the rest is dropped
	fmt.Println("position", newest, "left", positions.Len())

	chat := room.NewQueue[string](0)
	for _, line := range []string{"hi", "hello", "gg"} {
		chat.Push(line)
	}
	fmt.Println(chat.Pop(nil, 2), chat.All(nil))
	// Output:
	// position 4 left 0
	// [hi hello] [gg]
}
