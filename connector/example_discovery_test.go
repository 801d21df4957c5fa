package connector_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/connector"
)

// staticPeers is a Discoverer that "sights" a fixed list of peers every
// interval: for a network where neither broadcast nor multicast passes.
type staticPeers []connector.Sighting

type staticSession struct {
	stop, done chan struct{}
}

func (s staticPeers) StartDiscovery(self connector.Announcement, found func(connector.Sighting)) (connector.DiscoverySession, error) {
	sess := &staticSession{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(sess.done)
		t := time.NewTicker(self.Interval)
		defer t.Stop()
		for {
			select {
			case <-sess.stop:
				return
			case <-t.C:
				for _, p := range s {
					found(p)
				}
			}
		}
	}()
	return sess, nil
}

func (s *staticSession) Quiet() {}

func (s *staticSession) Close() error {
	close(s.stop)
	<-s.done
	return nil
}

// A Discoverer plugged into BroadcastConfig.Discovery: bob knows where ann
// listens and finds her without beacons (DiscoveryOnly).
// connector/mdns provides a Discoverer for mDNS in the same way.
func ExampleDiscoverer() {
	ann, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
		AppID: "example-static", Name: "ann", UDPPort: freeUDPPort(), Loopback: true,
	})
	if err != nil {
		panic(err)
	}
	defer ann.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ann.Start(ctx); err != nil {
		panic(err)
	}

	connected := make(chan string, 1)
	bob, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
		AppID: "example-static", Name: "bob", Loopback: true, Interval: 50 * time.Millisecond,
		Discovery:     staticPeers{{ID: ann.ID(), AppID: "example-static", Name: "ann", Addr: ann.TCPAddr()}},
		DiscoveryOnly: true,
		OnConnect:     func(p connector.Peer) { connected <- p.Name },
	})
	if err != nil {
		panic(err)
	}
	defer bob.Stop()
	if err := bob.Start(ctx); err != nil {
		panic(err)
	}
	select {
	case name := <-connected:
		fmt.Println("bob connected to", name)
	case <-ctx.Done():
		fmt.Println("no connection")
	}
	// Output: bob connected to ann
}
