//go:build linux

package connector

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// The test binary doubles as a peer program for the multi-process and
// network-namespace tests: with childEnv set, TestMain runs childMain
// instead of the tests; it speaks testpeer's line protocol (with "peers").
const childEnv = "CABLECAR_CONNECTOR_TEST_CHILD"

type childConfig struct {
	Name        string
	AppID       string
	UDPPort     int
	Interval    time.Duration
	PeerTimeout time.Duration
	Loopback    bool
	Interfaces  []string
	Refresh     time.Duration // InterfaceRefresh
	Verbose     bool          // debug log on stderr
	Timeout     time.Duration // discovery Timeout
	ID          uint64        // the peer id instead of a random one (0: random)
	ConnTimeout time.Duration
}

func runNetnsChild() bool {
	if v := os.Getenv(attackerEnv); v != "" {
		os.Exit(attackerMain(v))
	}
	v := os.Getenv(childEnv)
	if v == "" {
		return false
	}
	os.Exit(childMain(v))
	return true
}

var reasons = testpeer.Reasons{Left: ErrPeerLeft, Timeout: ErrPeerTimeout, Replaced: ErrReplaced, Stopped: ErrStopped}

func childMain(v string) int {
	var cc childConfig
	if code := testpeer.Decode("child", v, &cc); code != 0 {
		return code
	}
	if !cc.Loopback { // broadcast on real interfaces only inside a test namespace
		if code := testpeer.Confined("child"); code != 0 {
			return code
		}
	}
	say := testpeer.NewSay()
	cfg := BroadcastConfig{
		Name: cc.Name, AppID: cc.AppID, UDPPort: cc.UDPPort, Interval: cc.Interval,
		PeerTimeout: cc.PeerTimeout, ConnTimeout: cc.ConnTimeout, Loopback: cc.Loopback, Interfaces: cc.Interfaces, InterfaceRefresh: cc.Refresh, Timeout: cc.Timeout, Logger: testpeer.Logger(cc.Verbose),
		OnConnect: func(p Peer) { say("CONNECT %v %s %v", p.ID, p.Name, p.Addr) },
		OnDisconnect: func(p Peer, err error) {
			say("DISCONNECT %v %s", p.ID, reasons.Word(err))
		},
	}
	c, err := NewBroadcastConnector(&cfg)
	if err == nil {
		if cc.ID != 0 {
			c.id = PeerID(cc.ID)
		}
		err = c.Start(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return testpeer.Serve(say, testpeer.Node{
		ID: c.ID(), Addr: c.TCPAddr(),
		Connect: func(ctx context.Context) error { _, err := c.Connect(ctx); return err },
		Stats:   func() (uint64, uint64) { s := c.Stats(); return s.BeaconsReceived, s.Dials },
		Peers: func() []string {
			var ids []string
			for _, p := range c.Peers() {
				ids = append(ids, p.ID.String())
			}
			return ids
		},
		Stop: func() { c.Stop() },
	})
}

// child is a running child peer.
type child = testpeer.Child

// startChild runs the test binary as a peer, in host's namespace (nil: in
// this one, which requires cc.Loopback).
func startChild(t *testing.T, host *netns.Host, cc childConfig) *child {
	t.Helper()
	if host == nil && !cc.Loopback {
		t.Fatal("a child in this namespace must use Loopback")
	}
	return testpeer.StartPeer(t, host, cc.Name, childEnv, cc)
}
