package tests

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// TestCleanLeaveIsPeerClosed runs two messengers over discovered
// connections: the leaving side does Shutdown then Stop (the README's
// clean leave), and the staying side's reads must end in ErrPeerClosed
// every time, never in a "peer dropped" error.
func TestCleanLeaveIsPeerClosed(t *testing.T) {
	port := freeport.UDP(t)
	for i := range 30 {
		newConn := func(name string) (*connector.BroadcastConnector, chan connector.Peer) {
			peers := make(chan connector.Peer, 4)
			c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
				AppID: "tests/" + t.Name(), Name: name, UDPPort: port, Loopback: true,
				Interval: 50 * time.Millisecond, PeerTimeout: 2 * time.Second,
				OnConnect: func(p connector.Peer) { peers <- p },
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Stop() })
			return c, peers
		}
		ca, pa := newConn("a")
		cb, pb := newConn("b")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		newM := func(peers chan connector.Peer, out chan<- *messenger.Messenger) {
			select {
			case p := <-peers:
				m, err := messenger.New(ctx, p.Conn, message.NewByteCodec(nil), nil)
				if err != nil {
					t.Error(err)
				}
				out <- m
			case <-ctx.Done():
				out <- nil
			}
		}
		ma, mb := make(chan *messenger.Messenger, 1), make(chan *messenger.Messenger, 1)
		go newM(pa, ma)
		go newM(pb, mb)
		a, b := <-ma, <-mb
		if a == nil || b == nil {
			cancel()
			t.Fatalf("try %d: no messenger pair", i)
		}
		if err := a.Send(&message.MsgQuit{}); err != nil {
			t.Fatal(err)
		}
		if err := a.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		ca.Stop()
		var got []message.Message
		var err error
		for {
			var msg message.Message
			if msg, err = b.Recv(ctx); err != nil {
				break
			}
			got = append(got, msg)
		}
		cancel()
		if !errors.Is(err, messenger.ErrPeerClosed) {
			t.Fatalf("try %d: the staying side got %v, want ErrPeerClosed", i, err)
		}
		if len(got) != 1 {
			t.Errorf("try %d: received %d messages before the end (%#v), want the MsgQuit", i, len(got), got)
		}
		b.Close()
		cb.Stop()
	}
}
