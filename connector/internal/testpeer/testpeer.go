//go:build linux

package testpeer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
)

// parentNSEnv carries the starting test's network namespace (netns.Current)
// to the child, for Confined.
const parentNSEnv = "CABLECAR_TEST_PARENT_NETNS"

// Start runs the test binary (with -test.run=^$, so that its TestMain
// takes over) in host's namespace (nil: in this one) with the environment
// variable env set to cfg as JSON, and returns it as a Proc named name.
func Start(t testing.TB, host *netns.Host, name, env string, cfg any) *netns.Proc {
	t.Helper()
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
	parent, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), env+"="+string(b), parentNSEnv+"="+parent)
	return netns.StartProc(t, name, cmd)
}

// Child is a running child peer.
type Child struct {
	*netns.Proc
	ID string // the peer id from its READY line
}

// StartPeer starts a child as Start does and waits for its READY line.
func StartPeer(t testing.TB, host *netns.Host, name, env string, cfg any) *Child {
	t.Helper()
	p := Start(t, host, name, env, cfg)
	ready := strings.Fields(p.WaitLine("READY ", 30*time.Second))
	return &Child{Proc: p, ID: ready[1]}
}

// WaitConnected waits until a has connected b and b has connected a (a
// CONNECT line in each for the other).
func WaitConnected(a, b *Child) {
	a.WaitLine("CONNECT "+b.ID+" ", 30*time.Second)
	b.WaitLine("CONNECT "+a.ID+" ", 30*time.Second)
}

// LinkComesBack starts a peer on h1 (start(h1, "h1")), takes link, h2's,
// down, starts a peer on h2 (start(h2, "h2")), brings the link up and waits
// until the two have connected. It returns when the link came up.
func LinkComesBack(link *netns.Link, h1, h2 *netns.Host, start func(h *netns.Host, name string) *Child) time.Time {
	p1 := start(h1, "h1")
	link.SetUp(false)
	p2 := start(h2, "h2")
	up := time.Now()
	link.SetUp(true)
	WaitConnected(p1, p2)
	return up
}

// Connects counts c's CONNECT lines for peer id.
func (c *Child) Connects(id string) int { return c.Count("CONNECT " + id + " ") }

// Disconnects returns the reasons of c's DISCONNECT lines for peer id.
func (c *Child) Disconnects(id string) []string {
	var out []string
	for _, l := range c.Lines() {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "DISCONNECT" && f[1] == id {
			out = append(out, f[2])
		}
	}
	return out
}

// ConnectAddr waits for c's CONNECT line for peer id and returns the
// address in it.
func (c *Child) ConnectAddr(t testing.TB, id string) netip.AddrPort {
	t.Helper()
	f := strings.Fields(c.WaitLine("CONNECT "+id+" ", 30*time.Second))
	return netip.MustParseAddrPort(f[len(f)-1])
}

// Heard asks c how many beacons (and mDNS answers) it has heard.
func (c *Child) Heard(t testing.TB) int {
	t.Helper()
	return c.Stats(t)[0]
}

// Stats asks c for its counters: beacons heard, dials.
func (c *Child) Stats(t testing.TB) [2]int {
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

// WaitHeard waits until c has heard n more beacons or answers: a way to
// let intervals pass that does not depend on the clock.
func (c *Child) WaitHeard(t testing.TB, n int) {
	t.Helper()
	start := c.Heard(t)
	deadline := time.Now().Add(30 * time.Second)
	for c.Heard(t) < start+n {
		if time.Now().After(deadline) {
			t.Fatalf("%s heard fewer than %d beacons in 30s", c.ID, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Decode reads a child's JSON config v into cfg. On an error it says why
// on stderr, prefixed by who, and returns the exit code 2; else 0.
func Decode(who, v string, cfg any) int {
	if err := json.Unmarshal([]byte(v), cfg); err != nil {
		fmt.Fprintln(os.Stderr, who+": bad config:", err)
		return 2
	}
	return 0
}

// Confined returns 0 when this process runs in a network namespace other
// than that of the test that started it (Start), so that what it sends
// stays inside the test's namespaces. Otherwise it says why on stderr,
// prefixed by who, and returns the exit code 3.
func Confined(who string) int {
	parent := os.Getenv(parentNSEnv)
	if ns, err := netns.Current(); err != nil || parent == "" || ns == parent {
		fmt.Fprintln(os.Stderr, who+": refusing to send on a LAN outside a test network namespace", ns, err)
		return 3
	}
	return 0
}

// Logger is the child's logger: debug records on stderr when verbose, else
// nil (the connector's default).
func Logger(verbose bool) *slog.Logger {
	if !verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Say prints one protocol line (format and args as for fmt.Printf, without
// the newline) on stdout.
type Say func(format string, args ...any)

// NewSay returns a Say that is safe for concurrent use: lines do not
// interleave.
func NewSay() Say {
	var mu sync.Mutex
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
}

// Node is the started connector a child serves.
type Node struct {
	ID, Addr any                          // printed in the READY line
	Connect  func(context.Context) error  // runs discovery until it ends (ENDED when it returns nil)
	Stats    func() (heard, dials uint64) // for "stats"
	Peers    func() []string              // the ids for "peers"; nil: "peers" is ignored
	Stop     func()                       // stops the connector
}

// Serve prints READY, runs n.Connect beside, answers the stdin commands
// until "stop" or the end of stdin, then stops n, prints STOPPED, waits
// for n.Connect to return and returns the exit code 0.
func Serve(say Say, n Node) int {
	say("READY %v %v", n.ID, n.Addr)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if err := n.Connect(context.Background()); err == nil {
			say("ENDED")
		}
	}()
	defer func() { <-ended }()
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		switch sc.Text() {
		case "peers":
			if n.Peers != nil {
				ids := n.Peers()
				say("PEERS %d %s", len(ids), strings.Join(ids, " "))
			}
		case "stats":
			heard, dials := n.Stats()
			say("STATS %d %d", heard, dials)
		case "stop":
			n.Stop()
			say("STOPPED")
			return 0
		}
	}
	n.Stop()
	say("STOPPED")
	return 0
}

// Reasons are connector's errors that end a connection, each a reason
// word of the DISCONNECT line.
type Reasons struct {
	Left, Timeout, Replaced, Stopped error
}

// Word is the reason word for err, the error a peer's connection ended
// with: eof, left, timeout, replaced, stopped, closed (net.ErrClosed), or
// "other:" and the error's text.
func (r Reasons) Word(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "eof"
	case errors.Is(err, r.Left):
		return "left"
	case errors.Is(err, r.Timeout):
		return "timeout"
	case errors.Is(err, r.Replaced):
		return "replaced"
	case errors.Is(err, r.Stopped):
		return "stopped"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	}
	return "other:" + strings.ReplaceAll(err.Error(), " ", "_")
}
