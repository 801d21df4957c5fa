//go:build linux

package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
	"github.com/cablecar-go/cablecar/secure"
)

// netnsWait bounds each wait of the namespace tests; the whole test takes
// a few seconds when the binaries are in the build cache.
const netnsWait = 15 * time.Second

// buildBins builds into dir the main packages pkgs, import paths or
// paths relative to module, a directory: go build runs there, so with
// that module's go.mod (cpumon and examples/chat are modules of their own
// that this one cannot require, with or without go.work).
func buildBins(t *testing.T, dir, module string, pkgs ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	build.Dir = module
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %v in %s: %v\n%s", pkgs, module, err, out)
	}
}

// wan is the lab of TestAcrossNetworksNetns: a server machine S with one
// link on each of three segments, and machines A, B and C each alone on
// its own segment with S. S does not forward IP, so A, B and C reach S's
// address on their own segment and nothing else.
type wan struct {
	s, a, b, c *netns.Host
	// url is the NATS URL each of a, b, c uses: S's address on its segment.
	url map[*netns.Host]string
	// addr is each of a, b, c's own address.
	addr map[*netns.Host]netip.Addr
	bin  string
}

func newWAN(t *testing.T) *wan {
	t.Helper()
	lab := netns.New(t) // skips in -short mode and where namespaces cannot be made
	w := &wan{
		bin:  t.TempDir(),
		url:  map[*netns.Host]string{},
		addr: map[*netns.Host]netip.Addr{},
	}
	buildBins(t, w.bin, ".", "github.com/nats-io/nats-server/v2")
	buildBins(t, w.bin, filepath.Join("..", "cpumon"), ".")
	buildBins(t, w.bin, filepath.Join("..", "examples", "chat"), ".")
	w.s, w.a, w.b, w.c = lab.Host(), lab.Host(), lab.Host(), lab.Host()
	for i, h := range []*netns.Host{w.a, w.b, w.c} {
		_, links := lab.Segment(fmt.Sprintf("10.241.%d.0/24", i+1), w.s, h)
		w.url[h] = fmt.Sprintf("nats://%v:4222", links[0].Addr.Addr())
		w.addr[h] = links[1].Addr.Addr()
	}
	if out, err := exec.Command("ip", "netns", "exec", w.s.NS, "sysctl", "-w", "net.ipv4.ip_forward=0").CombinedOutput(); err != nil {
		t.Fatalf("ip_forward off in S: %v: %s", err, out)
	}
	// No machine has a route to another's segment (no default route, and
	// S would not forward anyway): only NATS can bring them together.
	for _, h := range []*netns.Host{w.a, w.b, w.c} {
		for _, o := range []*netns.Host{w.a, w.b, w.c} {
			if h == o {
				continue
			}
			other := w.addr[o].String()
			if out, err := exec.Command("ip", "-n", h.NS, "route", "get", other).CombinedOutput(); err == nil {
				t.Fatalf("%s has a route to %s: %s", h.NS, other, out)
			}
		}
	}
	// The server listens on all of S's addresses (they are S's alone: the
	// namespace holds only loopback and the three links). Its log goes to
	// stdout, where "Server is ready" is waited for.
	srv := netns.StartProc(t, "nats-server", w.s.Command(context.Background(), "sh", "-c", `exec "$0" "$@" 2>&1`,
		filepath.Join(w.bin, "nats-server"), "-a", "0.0.0.0", "-p", "4222"))
	waitProc(t, srv, "the server ready", func(l string) bool { return strings.Contains(l, "Server is ready") })
	return w
}

// waitProc waits until p has printed a line for which match holds and
// returns it.
func waitProc(t *testing.T, p *netns.Proc, what string, match func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(netnsWait)
	for {
		for _, l := range p.Lines() {
			if match(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v; output:\n%s", what, netnsWait, strings.Join(p.Lines(), "\n"))
		}
		time.Sleep(10 * time.Millisecond) // polling the output, as netns.Proc.WaitCount does
	}
}

// monLine is one line of cpumon -json output (the fields read here).
type monLine struct {
	Type  string `json:"type"`
	Peer  string `json:"peer"`
	Addr  string `json:"addr"`
	Stats *struct {
		Host string `json:"host"`
	} `json:"stats"`
}

// monLines parses p's JSON lines (its stdout also carries its -v log,
// which starts with "time=").
func monLines(p *netns.Proc) []monLine {
	var evs []monLine
	for _, l := range p.Lines() {
		var ev monLine
		if strings.HasPrefix(l, "{") && json.Unmarshal([]byte(l), &ev) == nil {
			evs = append(evs, ev)
		}
	}
	return evs
}

// startMonNS runs the built cpumon on h with -json -v, its log
// on stdout too, through the relay at h's URL, the LAN on (the default),
// and returns it with its peer id (from its self line).
func (w *wan) startMonNS(t *testing.T, name string, h *netns.Host, args ...string) (*netns.Proc, string) {
	t.Helper()
	p := netns.StartProc(t, name, h.Command(context.Background(), "sh", append([]string{"-c", `exec "$0" "$@" 2>&1`,
		filepath.Join(w.bin, "cpumon"), "-json", "-v", "-interval", "200ms", "-relay", w.url[h]}, args...)...))
	self := waitProc(t, p, name+"'s self line", func(l string) bool { return strings.HasPrefix(l, "{") && strings.Contains(l, `"type":"self"`) })
	var ev monLine
	if err := json.Unmarshal([]byte(self), &ev); err != nil || ev.Peer == "" {
		t.Fatalf("%s: self line %q: %v", name, self, err)
	}
	if ev.Addr == "" { // the relay only has no address: the LAN is off
		t.Fatalf("%s: self line %q without the LAN's address", name, self)
	}
	return p, ev.Peer
}

// statsOf counts p's stats lines of peer.
func statsOf(p *netns.Proc, peer string) int {
	n := 0
	for _, ev := range monLines(p) {
		if ev.Type == "stats" && ev.Peer == peer {
			n++
		}
	}
	return n
}

// TestAcrossNetworksNetns: cpumon -relay and chat -relay on machines that
// share no LAN. Four network namespaces: S runs the built nats-server; A,
// B and C are each on a segment of their own with S, which does not
// forward IP, so none can reach another except through NATS. The built
// cpumon on A and B (the same -password, the LAN on by default:
// it has nobody to find on a lonely segment) list each other's stats
// through the server; on C with another password it is refused, lists
// nobody and is listed by nobody. Then two built examples/chat on A and B
// exchange a line.
func TestAcrossNetworksNetns(t *testing.T) {
	leakcheck.Check(t)
	w := newWAN(t)

	a, aID := w.startMonNS(t, "cpumon A", w.a, "-password", "fleet secret")
	b, bID := w.startMonNS(t, "cpumon B", w.b, "-password", "fleet secret")
	waitProc(t, a, "stats of B on A", func(string) bool { return statsOf(a, bID) > 0 })
	waitProc(t, b, "stats of A on B", func(string) bool { return statsOf(b, aID) > 0 })

	c, cID := w.startMonNS(t, "cpumon C", w.c, "-password", "another one")
	waitProc(t, c, "C refused", func(l string) bool { return strings.Contains(l, secure.ErrWrongCode.Error()) })
	n := statsOf(a, bID)
	waitProc(t, a, "3 more stats of B on A", func(string) bool { return statsOf(a, bID) >= n+3 })
	for _, m := range []struct {
		p    *netns.Proc
		self string
	}{{a, aID}, {b, bID}, {c, cID}} {
		for _, ev := range monLines(m.p) {
			switch {
			case ev.Type == "self":
			case m.p == c || ev.Peer == cID:
				t.Errorf("%s printed %+v across passwords", m.self, ev)
			case ev.Peer != aID && ev.Peer != bID:
				t.Errorf("%s printed %+v: a peer that is neither A nor B", m.self, ev)
			case !strings.HasPrefix(ev.Addr, "cablecar.cpumon.peer."):
				t.Errorf("%s printed %+v: not from the relay", m.self, ev)
			}
		}
	}
	for _, p := range []*netns.Proc{a, b, c} {
		p.Kill()
	}

	alice := netns.StartProc(t, "chat A", w.a.Command(context.Background(), filepath.Join(w.bin, "chat"), "-relay", w.url[w.a], "-name", "alice"))
	bob := netns.StartProc(t, "chat B", w.b.Command(context.Background(), filepath.Join(w.bin, "chat"), "-relay", w.url[w.b], "-name", "bob"))
	waitProc(t, alice, "bob joined", func(l string) bool { return strings.HasPrefix(l, "* bob joined (cablecar.cablecar-chat.peer.") })
	waitProc(t, bob, "alice joined", func(l string) bool { return strings.HasPrefix(l, "* alice joined (cablecar.cablecar-chat.peer.") })
	alice.Send("hello across networks")
	waitProc(t, bob, "alice's line", func(l string) bool { return l == "<alice> hello across networks" })
	alice.CloseStdin()
	waitProc(t, bob, "alice left", func(l string) bool { return strings.HasPrefix(l, "* alice left") })
	if err := alice.Wait(netnsWait); err != nil {
		t.Errorf("chat A: %v", err)
	}
	bob.CloseStdin()
	if err := bob.Wait(netnsWait); err != nil {
		t.Errorf("chat B: %v", err)
	}
	t.Logf("A: %s\nB: %s", strings.Join(alice.Lines(), " | "), strings.Join(bob.Lines(), " | "))
}
