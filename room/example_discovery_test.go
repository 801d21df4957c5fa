package room_test

import (
	"context"
	"fmt"

	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// A game's per-peer figures: how each peer was found (Discovery: the way
// its connection came, and for a discovered peer the paths, interface and
// beacon quality) and its Messenger's figures (Stats). Both fill a value
// the game keeps, without allocating; here the peers have known
// addresses, so there are no discovery figures.
func ExampleRoom_Discovery() {
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
	defer guest.Close()
	if _, err := guest.Recv(ctx); err != nil { // Joined: the host
		fmt.Println(err)
		return
	}

	var d room.PeerDiscovery
	var s messenger.Stats
	for _, id := range guest.Peers() {
		if guest.Discovery(id, &d) && guest.Stats(id, &s) {
			fmt.Printf("via %v, paths %q, quality %.0f\n", d.Via, d.Paths, d.Quality)
		}
	}
	// Output:
	// via dial, paths "", quality 0
}
