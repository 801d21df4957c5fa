//go:build linux

package mdns

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// The test binary doubles as a peer program for the network-namespace
// tests (as in package connector): with childEnv set, TestMain runs
// childMain instead of the tests; it speaks testpeer's line protocol
// (without "peers").
const childEnv = "CABLECAR_MDNS_TEST_CHILD"

type childConfig struct {
	Name        string
	AppID       string
	Interval    time.Duration
	PeerTimeout time.Duration
	Refresh     time.Duration // InterfaceRefresh
	Only        bool          // DiscoveryOnly: no broadcast beacons
	Verbose     bool          // debug log on stderr
	Timeout     time.Duration // discovery Timeout
	Probe       bool          // be a raw mDNS observer instead (probeMain)
}

func runNetnsChild() bool {
	v := os.Getenv(childEnv)
	if v == "" {
		return false
	}
	os.Exit(childMain(v))
	return true
}

var reasons = testpeer.Reasons{Left: connector.ErrPeerLeft, Timeout: connector.ErrPeerTimeout,
	Replaced: connector.ErrReplaced, Stopped: connector.ErrStopped}

func childMain(v string) int {
	var cc childConfig
	if code := testpeer.Decode("child", v, &cc); code != 0 {
		return code
	}
	// Multicast on real interfaces only inside a test namespace.
	if code := testpeer.Confined("child"); code != 0 {
		return code
	}
	say := testpeer.NewSay()
	if cc.Probe {
		return probeMain(say)
	}
	cfg := connector.BroadcastConfig{
		Name: cc.Name, AppID: cc.AppID, Interval: cc.Interval, PeerTimeout: cc.PeerTimeout,
		InterfaceRefresh: cc.Refresh, Timeout: cc.Timeout, Logger: testpeer.Logger(cc.Verbose),
		Discovery: New(), DiscoveryOnly: cc.Only,
		OnConnect: func(p connector.Peer) { say("CONNECT %v %s %v", p.ID, p.Name, p.Addr) },
		OnDisconnect: func(p connector.Peer, err error) {
			say("DISCONNECT %v %s", p.ID, reasons.Word(err))
		},
	}
	c, err := connector.NewBroadcastConnector(&cfg)
	if err == nil {
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
		Stop:    func() { c.Stop() },
	})
}

// child is a running child peer.
type child = testpeer.Child

func netnsChildConfig(t *testing.T, name string) childConfig {
	return childConfig{
		Name: name, AppID: "netns/" + t.Name(),
		Interval: 100 * time.Millisecond, PeerTimeout: time.Second,
	}
}

// startChild runs the test binary as a peer in host's namespace.
func startChild(t *testing.T, host *netns.Host, cc childConfig) *child {
	t.Helper()
	return testpeer.StartPeer(t, host, cc.Name, childEnv, cc)
}
