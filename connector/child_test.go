//go:build linux

package connector

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
)

// The test binary doubles as a peer program for the multi-process and
// network-namespace tests: with childEnv set, TestMain runs childMain
// instead of the tests. It prints one line per event:
//
//	READY <id> <tcp addr>
//	CONNECT <id> <name> <addr>
//	DISCONNECT <id> <reason: eof|left|timeout|closed|replaced|stopped|other>
//	PEERS <n> <id>...     (answer to the stdin command "peers")
//	STATS <heard> <dials> (answer to "stats"; mDNS answers count as beacons)
//	ENDED                 (discovery ended: Timeout)
//	STOPPED
//
// and stops on the stdin command "stop" or at the end of stdin.
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
	ParentNS    string        // the test's network namespace (netns.Current)
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

func childMain(v string) int {
	var cc childConfig
	if err := json.Unmarshal([]byte(v), &cc); err != nil {
		fmt.Fprintln(os.Stderr, "child: bad config:", err)
		return 2
	}
	if !cc.Loopback {
		// Broadcast on real interfaces only inside a test namespace.
		if ns, err := netns.Current(); err != nil || cc.ParentNS == "" || ns == cc.ParentNS {
			fmt.Fprintln(os.Stderr, "child: refusing LAN discovery outside a test network namespace", ns, err)
			return 3
		}
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	cfg := BroadcastConfig{
		Name: cc.Name, AppID: cc.AppID, UDPPort: cc.UDPPort, Interval: cc.Interval,
		PeerTimeout: cc.PeerTimeout, ConnTimeout: cc.ConnTimeout, Loopback: cc.Loopback, Interfaces: cc.Interfaces, InterfaceRefresh: cc.Refresh, Timeout: cc.Timeout,
		OnConnect: func(p Peer) { say("CONNECT %v %s %v", p.ID, p.Name, p.Addr) },
		OnDisconnect: func(p Peer, err error) {
			say("DISCONNECT %v %s", p.ID, reasonWord(err))
		},
	}
	if cc.Verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
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
	say("READY %v %v", c.ID(), c.TCPAddr())
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if _, err := c.Connect(context.Background()); err == nil {
			say("ENDED")
		}
	}()
	defer func() { <-ended }()
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		switch sc.Text() {
		case "peers":
			var ids []string
			for _, p := range c.Peers() {
				ids = append(ids, p.ID.String())
			}
			say("PEERS %d %s", len(ids), strings.Join(ids, " "))
		case "stats":
			say("STATS %d %d", c.Stats().BeaconsReceived, c.Stats().Dials)
		case "stop":
			c.Stop()
			say("STOPPED")
			return 0
		}
	}
	c.Stop()
	say("STOPPED")
	return 0
}

func reasonWord(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "eof"
	case errors.Is(err, ErrPeerLeft):
		return "left"
	case errors.Is(err, ErrPeerTimeout):
		return "timeout"
	case errors.Is(err, ErrReplaced):
		return "replaced"
	case errors.Is(err, ErrStopped):
		return "stopped"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	}
	return "other:" + strings.ReplaceAll(err.Error(), " ", "_")
}

// child is a running child peer.
type child struct {
	*netns.Proc
	ID string
}

// startChild runs the test binary as a peer, in host's namespace (nil: in
// this one, which requires cc.Loopback).
func startChild(t *testing.T, host *netns.Host, cc childConfig) *child {
	t.Helper()
	if host == nil && !cc.Loopback {
		t.Fatal("a child in this namespace must use Loopback")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	if host != nil {
		cmd = host.Command(context.Background(), exe, "-test.run=^$")
	} else {
		cmd = exec.Command(exe, "-test.run=^$")
	}
	if cc.ParentNS, err = netns.Current(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cc)
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	p := netns.StartProc(t, cc.Name, cmd)
	ready := strings.Fields(p.WaitLine("READY ", 30*time.Second))
	return &child{Proc: p, ID: ready[1]}
}

// connectedTo reports whether c printed a CONNECT for id (at least n times).
func (c *child) connects(id string) int { return c.Count("CONNECT " + id + " ") }

func (c *child) disconnects(id string) []string {
	var out []string
	for _, l := range c.Lines() {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "DISCONNECT" && f[1] == id {
			out = append(out, f[2])
		}
	}
	return out
}

// heard asks c how many beacons (and mDNS answers) it has heard.
func (c *child) heard(t *testing.T) int {
	t.Helper()
	return c.stats(t)[0]
}

// stats asks c for its counters: beacons heard, dials.
func (c *child) stats(t *testing.T) [2]int {
	t.Helper()
	n := c.Count("STATS ")
	c.Send("stats")
	f := strings.Fields(c.WaitCount("STATS ", n+1, 10*time.Second)[n])
	var v [2]int
	for i := range v {
		var err error
		if v[i], err = strconv.Atoi(f[1+i]); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// waitHeard waits until c has heard n more beacons: a way to let intervals
// pass that does not depend on the clock.
func (c *child) waitHeard(t *testing.T, n int) {
	t.Helper()
	start := c.heard(t)
	deadline := time.Now().Add(30 * time.Second)
	for c.heard(t) < start+n {
		if time.Now().After(deadline) {
			t.Fatalf("%s heard fewer than %d beacons in 30s", c.ID, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
