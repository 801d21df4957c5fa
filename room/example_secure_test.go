package room_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/room"
)

// A host invites with a join code; a joiner types it and gets in; the
// host's next code comes as an Invited event. On this machine only
// (Loopback); on a LAN, drop Loopback and show inv.Code.Reveal() to the
// user, who reads it to the other player.
func ExampleConfig_invite() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host, err := room.New(ctx, &room.Config{AppID: "example-invite", Loopback: true, Invite: true, Interval: 100 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	ev, _ := host.Recv(ctx)
	inv := ev.(room.Invited)
	fmt.Println("host: first code, words hidden in logs:", inv.Code.String() == fmt.Sprintf("%d-…-…", inv.Code.Nameplate()))

	joiner, err := room.New(ctx, &room.Config{AppID: "example-invite", Loopback: true, Code: inv.Code.Reveal(), Interval: 100 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer joiner.Close()
	for {
		ev, err := joiner.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if j, ok := ev.(room.Joined); ok {
			fmt.Println("joiner: in the host's room:", j.Peer == host.ID())
			break
		}
	}
	for {
		ev, err := host.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if inv, ok := ev.(room.Invited); ok {
			fmt.Println("host: next code because the last one was used:", errors.Is(inv.Reason, room.ErrCodeUsed))
			break
		}
	}
	// Output:
	// host: first code, words hidden in logs: true
	// joiner: in the host's room: true
	// host: next code because the last one was used: true
}

// Password mode with known addresses: the peer with the wrong password is
// refused with ErrWrongCode.
func ExampleConfig_password() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host, err := room.New(ctx, &room.Config{AppID: "example", Listen: "127.0.0.1:0", Password: "swordfish"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	guest, err := room.New(ctx, &room.Config{AppID: "example", Dial: []string{host.Addr().String()}, Password: "tuna"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guest.Close()
	ev, err := host.Recv(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	if r, ok := ev.(room.Rejected); ok {
		fmt.Println("refused, wrong password:", errors.Is(r.Reason, room.ErrWrongCode))
	}
	// Output:
	// refused, wrong password: true
}
