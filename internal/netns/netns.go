//go:build linux

// Package netns builds small virtual LANs out of Linux network namespaces
// for tests: "hosts" (namespaces with loopback up) attached by veth pairs
// to bridges that live in a "switch" namespace of their own. Nothing is
// created in the caller's namespace, so no test packet can reach a real
// interface. Everything is removed by t.Cleanup, and namespaces left by a
// crashed earlier run are removed by the next New.
//
// It drives the ip(8) command (iproute2) and needs root; where namespaces
// cannot be made, New skips the test with the reason.
package netns

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// namePrefix starts every namespace name this package makes; the creating
// process id follows, so stale namespaces can be recognised.
const namePrefix = "cctest-"

var labCount atomic.Int64

// Lab is one test's set of namespaces.
type Lab struct {
	t      testing.TB
	prefix string
	sw     string // the switch namespace

	mu      sync.Mutex
	hosts   []*Host
	bridges int
}

// Bridge is an Ethernet segment: a bridge in the switch namespace.
type Bridge struct {
	lab  *Lab
	Name string
}

// Host is a network namespace standing for one machine.
type Host struct {
	lab *Lab
	// NS is the namespace's name, for `ip netns exec NS ...`.
	NS    string
	index int
	links int
}

// Link is one interface of a host, plugged into a bridge.
type Link struct {
	Host *Host
	// Name is the interface's name inside the host ("eth0", ...).
	Name string
	// Addr is its address and subnet.
	Addr netip.Prefix
	// switchEnd is the veth end in the switch namespace.
	switchEnd string
}

// New makes an empty lab, or skips the test with the reason in -short
// mode (a lab takes seconds to build and its tests longer to run) and when
// network namespaces cannot be made here (not root, no ip command, no
// permission).
func New(t testing.TB) *Lab {
	t.Helper()
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Skip("netns: needs root to create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("netns: the ip command (iproute2) is not installed")
	}
	removeStale()
	l := &Lab{t: t, prefix: fmt.Sprintf("%s%d-%d-", namePrefix, os.Getpid(), labCount.Add(1))}
	l.sw = l.prefix + "sw"
	if out, err := run("ip", "netns", "add", l.sw); err != nil {
		t.Skipf("netns: cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(l.Close)
	l.must("ip", "-n", l.sw, "link", "set", "lo", "up")
	return l
}

// Close deletes every namespace of the lab (and with them the interfaces).
// It is registered with t.Cleanup by New; calling it again does nothing.
func (l *Lab) Close() {
	l.mu.Lock()
	hosts := l.hosts
	l.hosts = nil
	sw := l.sw
	l.sw = ""
	l.mu.Unlock()
	for _, h := range hosts {
		if out, err := run("ip", "netns", "del", h.NS); err != nil {
			l.t.Logf("netns: deleting %s: %v: %s", h.NS, err, out)
		}
	}
	if sw != "" {
		if out, err := run("ip", "netns", "del", sw); err != nil {
			l.t.Logf("netns: deleting %s: %v: %s", sw, err, out)
		}
	}
}

// Bridge adds a bridge (an Ethernet segment) to the lab.
func (l *Lab) Bridge() *Bridge {
	l.t.Helper()
	l.mu.Lock()
	l.bridges++
	name := "br" + strconv.Itoa(l.bridges)
	l.mu.Unlock()
	l.must("ip", "-n", l.sw, "link", "add", name, "type", "bridge")
	l.must("ip", "-n", l.sw, "link", "set", name, "up")
	return &Bridge{lab: l, Name: name}
}

// Host adds a host: a namespace with only its loopback interface, up.
func (l *Lab) Host() *Host {
	l.t.Helper()
	l.mu.Lock()
	h := &Host{lab: l, index: len(l.hosts) + 1}
	h.NS = l.prefix + "h" + strconv.Itoa(h.index)
	l.mu.Unlock()
	l.must("ip", "netns", "add", h.NS)
	l.mu.Lock()
	l.hosts = append(l.hosts, h)
	l.mu.Unlock()
	l.must("ip", "-n", h.NS, "link", "set", "lo", "up")
	return h
}

// Attach plugs a new interface of h, named ethN (N counting from 0), with
// address addr (e.g. 10.1.0.1/24), into bridge b, and brings it up.
func (h *Host) Attach(b *Bridge, addr netip.Prefix) *Link {
	l := h.lab
	l.t.Helper()
	lk := &Link{Host: h, Name: "eth" + strconv.Itoa(h.links), Addr: addr,
		switchEnd: fmt.Sprintf("v%d.%d", h.index, h.links)}
	h.links++
	l.must("ip", "link", "add", lk.Name, "netns", h.NS, "type", "veth", "peer", "name", lk.switchEnd, "netns", l.sw)
	l.must("ip", "-n", l.sw, "link", "set", lk.switchEnd, "master", b.Name)
	l.must("ip", "-n", l.sw, "link", "set", lk.switchEnd, "up")
	l.must("ip", "-n", h.NS, "addr", "add", addr.String(), "dev", lk.Name)
	l.must("ip", "-n", h.NS, "link", "set", lk.Name, "up")
	return lk
}

// Segment adds a bridge and plugs hosts into it (Attach), the i-th (from 0)
// at the (i+1)-th address of subnet: Segment("10.233.0.0/24", h1, h2) gives
// h1 10.233.0.1/24 and h2 10.233.0.2/24. It returns the bridge and the
// hosts' new links, in order.
func (l *Lab) Segment(subnet string, hosts ...*Host) (*Bridge, []*Link) {
	l.t.Helper()
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		l.t.Fatalf("netns: subnet: %v", err)
	}
	p = p.Masked()
	b := l.Bridge()
	links := make([]*Link, len(hosts))
	a := p.Addr()
	for i, h := range hosts {
		if a = a.Next(); !p.Contains(a) {
			l.t.Fatalf("netns: %d hosts do not fit in %v", len(hosts), p)
		}
		links[i] = h.Attach(b, netip.PrefixFrom(a, p.Bits()))
	}
	return b, links
}

// SetUp brings the link's interface up (true) or down (false) inside its
// host, as `ip link set NAME up|down` there would: the host itself sees
// the change (unlike SetConnected, which pulls the cable at the switch).
func (lk *Link) SetUp(up bool) {
	l := lk.Host.lab
	l.t.Helper()
	l.must("ip", "-n", lk.Host.NS, "link", "set", lk.Name, upDown(up))
}

// SetConnected plugs (true) or pulls (false) the link's cable: the
// switch-side end goes up or down, so the host's frames stop reaching the
// bridge, and its interface loses carrier.
func (lk *Link) SetConnected(up bool) {
	l := lk.Host.lab
	l.t.Helper()
	l.must("ip", "-n", l.sw, "link", "set", lk.switchEnd, upDown(up))
}

// upDown is the ip link state word for up.
func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// Command returns a command that runs name with args inside h's namespace
// (through `ip netns exec`). It dies with the test process (SIGKILL as
// parent-death signal).
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

func (l *Lab) must(args ...string) {
	l.t.Helper()
	if out, err := run(args...); err != nil {
		l.t.Fatalf("netns: %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func run(args ...string) ([]byte, error) {
	return exec.Command(args[0], args[1:]...).CombinedOutput()
}

// removeStale deletes namespaces made by processes that no longer run.
func removeStale() {
	out, err := run("ip", "netns", "list")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], namePrefix) {
			continue
		}
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(f[0], namePrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		run("ip", "netns", "del", f[0])
	}
}

// Current returns an identifier of the calling process's network
// namespace (like "net:[4026531840]"). A test passes its own to the
// programs it runs in a lab; a program that sends broadcasts checks that its
// namespace differs, so it never does so on the machine's real network.
func Current() (string, error) {
	return os.Readlink("/proc/self/ns/net")
}

// Interfaces lists the interface names of the calling process's namespace.
func Interfaces() ([]string, error) {
	out, err := run("ip", "-o", "link", "show")
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	var names []string
	for _, line := range bytes.Split(out, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) >= 2 {
			names = append(names, strings.TrimSuffix(strings.SplitN(f[1], "@", 2)[0], ":"))
		}
	}
	return names, nil
}
