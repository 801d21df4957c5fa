package connector_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/cablecar-go/cablecar/connector"
)

// Two instances of a game find each other on this machine (Loopback: no
// packet leaves it) and exchange a line over the connection they get.
func ExampleBroadcastConnector() {
	port := freeUDPPort() // beacon port; real programs keep the default
	got := make(chan string, 2)
	newPeer := func(name string) *connector.BroadcastConnector {
		c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
			AppID:    "example-game",
			Name:     name,
			UDPPort:  port,
			Loopback: true,
			Interval: 100 * time.Millisecond,
			OnConnect: func(p connector.Peer) {
				// Runs on the connector's callback goroutine: hand the
				// connection over and return.
				go func() {
					fmt.Fprintf(p.Conn, "hello from %s\n", name)
					line, _ := bufio.NewReader(p.Conn).ReadString('\n')
					got <- fmt.Sprintf("%s got %q from %s", name, line, p.Name)
				}()
			},
		})
		if err != nil {
			panic(err)
		}
		return c
	}
	ann, bob := newPeer("ann"), newPeer("bob")
	defer ann.Stop()
	defer bob.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ann.Start(ctx)
	bob.Start(ctx)
	a, b := <-got, <-got
	if a > b {
		a, b = b, a
	}
	fmt.Println(a)
	fmt.Println(b)
	// Output:
	// ann got "hello from bob\n" from bob
	// bob got "hello from ann\n" from ann
}

// OneToOne: Connect returns with the first peer found; discovery then stops
// and that one connection stays.
func ExampleBroadcastConnector_Connect() {
	port := freeUDPPort()
	cfg := connector.BroadcastConfig{AppID: "example-duel", UDPPort: port, Loopback: true,
		Interval: 100 * time.Millisecond, OneToOne: true}
	host, _ := connector.NewBroadcastConnector(&cfg)
	defer host.Stop()
	guest, _ := connector.NewBroadcastConnector(&cfg)
	defer guest.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	host.Start(ctx)
	peers, err := guest.Connect(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(peers), peers[0].ID == host.ID())
	// Output: 1 true
}

func freeUDPPort() int {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}
