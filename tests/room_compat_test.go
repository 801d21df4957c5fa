package tests

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// TestRoomCompatWithPython: a Room in compat mode (roompeer -compat) and a
// cable_car-style Python peer, both ways, with the byte and JSON
// transports. The Room dials the Python echo peer and gets the four
// built-ins back; it sends nothing of its own (no hello, no ping, no
// goodbye: the Python peer raises on a frame it does not know and would
// exit with an error) over twenty ping intervals. Then the Python client
// sends the built-ins to a listening Room that echoes them.
func TestRoomCompatWithPython(t *testing.T) {
	py := proctest.NeedPython(t)
	const interval = 20 * time.Millisecond
	for _, transport := range []string{"byte", "json"} {
		t.Run(transport, func(t *testing.T) {
			srv := start(t, py, pythonPeer, "echo", "0", transport)
			port := strings.Fields(srv.Line(t, "listening ", 10*time.Second))[1]
			g := roomPeer(t, "compat-dial", "-compat", "-codec", transport, "-dial", "127.0.0.1:"+port, "-interval", interval.String())
			id := strings.Fields(g.WaitLine("JOINED ", 10*time.Second))[1]
			g.do(t, "builtins")
			msgs := g.WaitCount("MSG ", 4, 10*time.Second)
			for i, name := range []string{"MsgIdentify", "MsgJoin", "MsgRetry", "MsgQuit"} {
				if want := "MSG " + id + " - " + name; msgs[i] != want {
					t.Errorf("echo %d: %q, want %q", i, msgs[i], want)
				}
			}
			time.Sleep(20 * interval) // the time in which a native room pings 20 times, not a synchronisation
			g.do(t, "quit")
			if err := srv.WaitExit(t, 20*time.Second); err != nil {
				t.Fatalf("python echo: %v\n%s", err, srv.Output())
			}
			if n := strings.Count(srv.Output(), "echo "); n != 4 {
				t.Errorf("the python peer echoed %d messages, want 4:\n%s", n, srv.Output())
			}

			lis := roomPeer(t, "compat-listen", "-compat", "-codec", transport, "-listen", "127.0.0.1:0", "-echo", "-interval", interval.String())
			cl := start(t, py, pythonPeer, "client", lis.addr, transport)
			if err := cl.WaitExit(t, 20*time.Second); err != nil {
				t.Fatalf("python client: %v\n%s", err, cl.Output())
			}
			if !strings.Contains(cl.Output(), "ok 4 messages") {
				t.Fatalf("python client output:\n%s", cl.Output())
			}
			lis.WaitLine("LEFT ", 10*time.Second)
			if l := lis.linesWith("LEFT ")[0]; !strings.HasSuffix(l, " reset") {
				t.Errorf("the python client's close: %q, want reset", l)
			}
		})
	}
}

// TestRoomCompatNetnsDiscovery: compat discovery (cable_car's beacons and
// ports, one peer per IP) between two hosts: two roompeer -compat find
// each other and one echoes the other's built-ins; then echo -discover
// -compat -check against echo -discover -compat (both on a Room in compat
// mode), with the byte and JSON transports.
func TestRoomCompatNetnsDiscovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	lab := netns.New(t)
	br := lab.Bridge()
	h1, h2 := lab.Host(), lab.Host()
	h1.Attach(br, netip.MustParsePrefix("10.236.0.1/24"))
	h2.Attach(br, netip.MustParsePrefix("10.236.0.2/24"))

	a := startRoom(t, "compat-a", h1.Command(t.Context(), bin("roompeer"), "-compat", "-echo", "-interval", "200ms"))
	b := startRoom(t, "compat-b", h2.Command(t.Context(), bin("roompeer"), "-compat", "-interval", "200ms"))
	id := strings.Fields(b.WaitLine("JOINED ", 20*time.Second))[1]
	a.WaitLine("JOINED ", 20*time.Second)
	b.do(t, "builtins")
	msgs := b.WaitCount("MSG ", 4, 10*time.Second)
	for i, name := range []string{"MsgIdentify", "MsgJoin", "MsgRetry", "MsgQuit"} {
		if want := "MSG " + id + " - " + name; msgs[i] != want {
			t.Errorf("echo %d: %q, want %q", i, msgs[i], want)
		}
	}
	a.Kill()
	b.Kill()
	_ = a.Wait(10 * time.Second)
	_ = b.Wait(10 * time.Second)

	for _, transport := range []string{"byte", "json"} {
		srv := proctest.StartCmd(t, h1.Command(t.Context(), bin("echo"), "-discover", "-compat", "-transport", transport))
		srv.Line(t, "discovering", 10*time.Second)
		cl := proctest.StartCmd(t, h2.Command(t.Context(), bin("echo"), "-discover", "-compat", "-check", "-transport", transport, "-timeout", "20s"))
		if err := cl.WaitExit(t, 30*time.Second); err != nil {
			t.Fatalf("%s: echo -discover -compat -check: %v\n%s", transport, err, cl.Output())
		}
		if !strings.Contains(cl.Output(), "ok: 4 messages came back unchanged") {
			t.Errorf("%s: client output:\n%s", transport, cl.Output())
		}
		srv.WaitLine(t, 10*time.Second, "the server's echo", func(l string) bool { return strings.Contains(l, " echo ") })
		srv.Kill()
	}

	alice := netns.StartProc(t, "alice", h1.Command(t.Context(), bin("chat"), "-compat", "-name", "alice"))
	bob := netns.StartProc(t, "bob", h2.Command(t.Context(), bin("chat"), "-compat", "-name", "bob"))
	alice.WaitLine("* 10.236.0.2 joined (10.236.0.2:", 20*time.Second)
	bob.WaitLine("* 10.236.0.1 joined (10.236.0.1:", 20*time.Second)
	// Both dial when they hear each other, and each keeps the first
	// socket per IP (as cable_car does), closing the other's: a line said
	// at once may go down a socket the other side is closing, and compat
	// has no way to know. Say it again until it gets through.
	say := func(from, to *netns.Proc, line, want string) {
		t.Helper()
		poll(t, 20*time.Second, want, func() bool {
			if to.Count(want) > 0 {
				return true
			}
			from.Send(line)
			time.Sleep(200 * time.Millisecond) // a resend interval, not a synchronisation
			return to.Count(want) > 0
		})
	}
	say(alice, bob, "hello bob", "<alice> hello bob")
	say(bob, alice, "hi alice", "<bob> hi alice")
	bob.CloseStdin()
	if err := bob.Wait(10 * time.Second); err != nil {
		t.Errorf("bob: %v", err)
	}
	alice.WaitLine("* 10.236.0.2 left", 10*time.Second)
}
