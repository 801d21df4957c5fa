package tests

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pythonPeer is a stdlib-only stand-in for a Python cable_car 1.0.1 peer,
// written from docs/compat.md.
var pythonPeer = filepath.Join("python", "cable_car_peer.py")

func needPython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the cross-language tests need it")
	}
	return py
}

// TestPythonClientAgainstGoEcho: a cable_car-style Python peer sends the
// built-ins to examples/echo -compat and gets each back unchanged.
func TestPythonClientAgainstGoEcho(t *testing.T) {
	py := needPython(t)
	for _, transport := range []string{"byte", "json"} {
		t.Run(transport, func(t *testing.T) {
			srv := start(t, bin("echo"), "-listen", "127.0.0.1:0", "-transport", transport, "-compat")
			addr := strings.Fields(srv.waitPrefix(t, 10*time.Second, "listening "))[1]
			cl := start(t, py, pythonPeer, "client", addr, transport)
			if err := cl.wait(t, 20*time.Second); err != nil {
				t.Fatalf("python client: %v\n%s", err, cl.output())
			}
			if !strings.Contains(cl.output(), "ok 4 messages") {
				t.Fatalf("python client output:\n%s", cl.output())
			}
			for _, name := range []string{"MsgIdentify", "MsgJoin", "MsgRetry", "MsgQuit"} {
				srv.waitLine(t, 5*time.Second, "echo of "+name, func(l string) bool {
					return strings.Contains(l, " echo "+name)
				})
			}
			// cable_car's MsgIdentify payload "pyuser@pyhost" decoded into
			// fields by the Go side:
			srv.waitLine(t, 5*time.Second, "decoded identify", func(l string) bool {
				return strings.Contains(l, `{"username":"pyuser","hostname":"pyhost"}`)
			})
		})
	}
}

// TestGoClientAgainstPythonEcho: examples/echo -dial -compat against the
// Python peer echoing.
func TestGoClientAgainstPythonEcho(t *testing.T) {
	py := needPython(t)
	for _, transport := range []string{"byte", "json"} {
		t.Run(transport, func(t *testing.T) {
			srv := start(t, py, pythonPeer, "echo", "0", transport)
			port := strings.Fields(srv.waitPrefix(t, 10*time.Second, "listening "))[1]
			cl := start(t, bin("echo"), "-dial", "127.0.0.1:"+port, "-transport", transport, "-compat")
			if err := cl.wait(t, 20*time.Second); err != nil {
				t.Fatalf("go client: %v\n%s", err, cl.output())
			}
			if !strings.Contains(cl.output(), "ok: 4 messages came back unchanged") {
				t.Fatalf("go client output:\n%s", cl.output())
			}
			if err := srv.wait(t, 20*time.Second); err != nil {
				t.Fatalf("python echo: %v\n%s", err, srv.output())
			}
		})
	}
}

// TestNativeEchoRefusesCompatPeer: without -compat, the Go side expects a
// hello, so a cable_car peer is refused with a clear error instead of being
// misread.
func TestNativeEchoRefusesCompatPeer(t *testing.T) {
	py := needPython(t)
	srv := start(t, py, pythonPeer, "echo", "0", "byte")
	port := strings.Fields(srv.waitPrefix(t, 10*time.Second, "listening "))[1]
	cl := start(t, bin("echo"), "-dial", "127.0.0.1:"+port, "-transport", "byte", "-timeout", "3s")
	err := cl.wait(t, 20*time.Second)
	if err == nil {
		t.Fatalf("native client accepted a cable_car peer:\n%s", cl.output())
	}
	if !strings.Contains(cl.output(), "hello") {
		t.Errorf("client error does not mention the hello:\n%s", cl.output())
	}
}
