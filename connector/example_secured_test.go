package connector_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cablecar-go/cablecar/connector"
)

// A host offers join-code nameplate 7; a joiner of nameplate 7 dials it at
// once and both see the nameplate on the connection; the joiner then stops
// joining (SetJoin(0)), as package room does once the handshake under the
// code succeeded. Secured: beacons are hints (the application proves every
// connection itself).
func ExampleBroadcastConnector_SetJoin() {
	port := freeUDPPort()
	got := make(chan string, 2)
	newPeer := func(name string, nameplate, join int) *connector.BroadcastConnector {
		c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
			AppID: "example-join", Name: name, UDPPort: port, Loopback: true,
			Interval: 100 * time.Millisecond, Secured: true, Nameplate: nameplate, Join: join,
			OnConnect: func(p connector.Peer) {
				got <- fmt.Sprintf("%s: connected to %s for nameplate %d", name, p.Name, p.Nameplate)
			},
		})
		if err != nil {
			panic(err)
		}
		return c
	}
	host, joiner := newPeer("host", 7, 0), newPeer("joiner", 0, 7)
	for _, c := range []*connector.BroadcastConnector{host, joiner} {
		if err := c.Start(context.Background()); err != nil {
			fmt.Println(err)
			return
		}
		defer c.Stop()
	}
	a, b := <-got, <-got
	if a > b {
		a, b = b, a
	}
	fmt.Println(a)
	fmt.Println(b)
	fmt.Println("joiner stops joining:", joiner.SetJoin(0))
	// Output:
	// host: connected to joiner for nameplate 7
	// joiner: connected to host for nameplate 7
	// joiner stops joining: <nil>
}

// Two hosts offer nameplate 3. Each hears the other's beacon (OnNameplate)
// and asks who offers its nameplate (NameplatePeers); the one with the
// higher id moves (SetNameplate), as package room settles such a clash.
func ExampleBroadcastConnector_NameplatePeers() {
	port := freeUDPPort()
	heard := make(chan struct{}, 2)
	newHost := func() *connector.BroadcastConnector {
		c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
			AppID: "example-nameplates", UDPPort: port, Loopback: true,
			Interval: 100 * time.Millisecond, Secured: true, Nameplate: 3,
			OnNameplate: func(_ connector.PeerID, n int) {
				if n == 3 {
					select {
					case heard <- struct{}{}:
					default:
					}
				}
			},
		})
		if err != nil {
			panic(err)
		}
		return c
	}
	a, b := newHost(), newHost()
	for _, c := range []*connector.BroadcastConnector{a, b} {
		if err := c.Start(context.Background()); err != nil {
			fmt.Println(err)
			return
		}
		defer c.Stop()
	}
	<-heard
	<-heard
	fmt.Println("a hears b on 3:", slices.Equal(a.NameplatePeers(3), []connector.PeerID{b.ID()}))
	mover := a
	if b.ID() > a.ID() {
		mover = b
	}
	fmt.Println("the higher id moves:", mover.SetNameplate(4))
	// Output:
	// a hears b on 3: true
	// the higher id moves: <nil>
}
