package relay_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/relay"
	"github.com/cablecar-go/cablecar/room"
	"github.com/nats-io/nats-server/v2/server"
)

// Two Rooms meet through a NATS server (here an embedded one on
// loopback; in a game, the URL of a server both players reach).
func ExampleNew() {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	if err != nil {
		panic(err)
	}
	srv.Start()
	defer srv.Shutdown()
	srv.ReadyForConnections(10 * time.Second)

	join := func(name string) *room.Room {
		rl, err := relay.New(&relay.Config{URL: srv.ClientURL()})
		if err != nil {
			panic(err)
		}
		r, err := room.New(context.Background(), &room.Config{AppID: "example", Name: name, Transports: []room.Transport{rl}})
		if err != nil {
			panic(err)
		}
		return r
	}
	alice, bob := join("alice"), join("bob")
	defer alice.Close()
	defer bob.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_ = alice.Xfer()
		if ev, ok := alice.Get().(room.Joined); ok {
			fmt.Println("alice sees", ev.Name)
			return
		}
		_ = bob.Xfer()
		for bob.Get() != nil {
		}
		time.Sleep(time.Millisecond) // a frame of a game loop
	}
	// Output: alice sees bob
}
