package tests

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/proctest"
)

// pythonPeer is a stdlib-only stand-in for a Python cable_car 1.0.1 peer,
// written from docs/compat.md.
var pythonPeer = filepath.Join("python", "cable_car_peer.py")

// TestPythonClientAgainstGoEcho: a cable_car-style Python peer sends the
// built-ins to examples/echo -compat and gets each back unchanged.
func TestPythonClientAgainstGoEcho(t *testing.T) {
	py := proctest.NeedPython(t)
	for _, transport := range []string{"byte", "json"} {
		t.Run(transport, func(t *testing.T) {
			srv := start(t, bin("echo"), "-listen", "127.0.0.1:0", "-transport", transport, "-compat")
			addr := strings.Fields(srv.Line(t, "listening ", 10*time.Second))[1]
			cl := start(t, py, pythonPeer, "client", addr, transport)
			if err := cl.WaitExit(t, 20*time.Second); err != nil {
				t.Fatalf("python client: %v\n%s", err, cl.Output())
			}
			if !strings.Contains(cl.Output(), "ok 4 messages") {
				t.Fatalf("python client output:\n%s", cl.Output())
			}
			for _, name := range []string{"MsgIdentify", "MsgJoin", "MsgRetry", "MsgQuit"} {
				srv.WaitLine(t, 5*time.Second, "echo of "+name, func(l string) bool {
					return strings.Contains(l, " echo "+name)
				})
			}
			// cable_car's MsgIdentify payload "pyuser@pyhost" decoded into
			// fields by the Go side:
			srv.WaitLine(t, 5*time.Second, "decoded identify", func(l string) bool {
				return strings.Contains(l, `{"username":"pyuser","hostname":"pyhost"}`)
			})
		})
	}
}

// TestGoClientAgainstPythonEcho: examples/echo -dial -compat against the
// Python peer echoing.
func TestGoClientAgainstPythonEcho(t *testing.T) {
	py := proctest.NeedPython(t)
	for _, transport := range []string{"byte", "json"} {
		t.Run(transport, func(t *testing.T) {
			srv := start(t, py, pythonPeer, "echo", "0", transport)
			port := strings.Fields(srv.Line(t, "listening ", 10*time.Second))[1]
			cl := start(t, bin("echo"), "-dial", "127.0.0.1:"+port, "-transport", transport, "-compat")
			if err := cl.WaitExit(t, 20*time.Second); err != nil {
				t.Fatalf("go client: %v\n%s", err, cl.Output())
			}
			if !strings.Contains(cl.Output(), "ok: 4 messages came back unchanged") {
				t.Fatalf("go client output:\n%s", cl.Output())
			}
			if err := srv.WaitExit(t, 20*time.Second); err != nil {
				t.Fatalf("python echo: %v\n%s", err, srv.Output())
			}
		})
	}
}

// TestNativeEchoRefusesCompatPeer: without -compat, the Go side expects a
// hello, so a cable_car peer is refused with a clear error instead of being
// misread.
func TestNativeEchoRefusesCompatPeer(t *testing.T) {
	py := proctest.NeedPython(t)
	srv := start(t, py, pythonPeer, "echo", "0", "byte")
	port := strings.Fields(srv.Line(t, "listening ", 10*time.Second))[1]
	cl := start(t, bin("echo"), "-dial", "127.0.0.1:"+port, "-transport", "byte", "-timeout", "3s")
	err := cl.WaitExit(t, 20*time.Second)
	if err == nil {
		t.Fatalf("native client accepted a cable_car peer:\n%s", cl.Output())
	}
	if !strings.Contains(cl.Output(), "hello") {
		t.Errorf("client error does not mention the hello:\n%s", cl.Output())
	}
}
