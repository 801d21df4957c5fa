//go:build linux

package mdns

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
)

// These tests check the responder against a real browser: Debian's
// avahi-daemon with check-response-ttl=yes (it drops responses whose IP TTL
// is not 255) and avahi-browse, inside network namespaces. avahi-browse
// talks to the daemon over D-Bus, so the test runs a private dbus-daemon
// (a socket in the test's directory) and avahi-daemon with its own config,
// its runtime directory (pid file, socket) on a tmpfs of its own mount
// namespace, no privilege drop and no chroot. They skip where avahi or
// D-Bus is missing (apt-get install avahi-daemon avahi-utils dbus).

// avahiLab is an avahi-daemon on a host and the D-Bus it answers on.
type avahiLab struct {
	t   *testing.T
	bus string // DBUS_SYSTEM_BUS_ADDRESS
}

func needAvahi(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds network namespaces")
	}
	for _, tool := range []string{"avahi-daemon", "avahi-browse", "dbus-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found (apt-get install avahi-daemon avahi-utils dbus): %v", tool, err)
		}
	}
}

// startAvahi runs dbus-daemon here and avahi-daemon on host, on interface
// ifname only.
func startAvahi(t *testing.T, host *netns.Host, ifname string) *avahiLab {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	busConf := filepath.Join(dir, "bus.conf")
	// A system bus of its own: anyone may own and call anything on it.
	if err := os.WriteFile(busConf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=`+sock+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	avahiConf := filepath.Join(dir, "avahi.conf")
	if err := os.WriteFile(avahiConf, []byte(`[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=`+ifname+`
check-response-ttl=yes
enable-dbus=yes
[publish]
disable-publishing=yes
`), 0o644); err != nil {
		t.Fatal(err)
	}
	netns.StartProc(t, "dbus", exec.Command("dbus-daemon", "--nofork", "--config-file="+busConf))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("dbus-daemon did not open its socket in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	lab := &avahiLab{t: t, bus: "unix:path=" + sock}
	cmd := host.Command(context.Background(), "sh", "-c",
		"mount -t tmpfs tmpfs /run && mkdir /run/avahi-daemon && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f "+avahiConf+" 2>&1")
	cmd.Env = append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+lab.bus)
	avahi := netns.StartProc(t, "avahi-daemon", cmd)
	avahi.WaitLine("Server startup complete.", 20*time.Second)
	return lab
}

// browse runs avahi-browse for our service, resolving what it finds.
func (l *avahiLab) browse() *netns.Proc {
	cmd := exec.Command("avahi-browse", "--parsable", "--resolve", "--no-db-lookup", mdnsService)
	cmd.Env = append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+l.bus)
	return netns.StartProc(l.t, "avahi-browse", cmd)
}

// resolved waits for avahi-browse's "=" line of the instance and returns
// its address, port and TXT.
func resolved(t *testing.T, b *netns.Proc, instance string) (netip.AddrPort, string) {
	t.Helper()
	f := strings.SplitN(b.WaitLine("=;", 20*time.Second), ";", 10)
	// =;iface;IPv4;instance;type;domain;host;address;port;txt
	if len(f) != 10 || f[3] != instance {
		t.Fatalf("avahi-browse resolved %q, want instance %s", f, instance)
	}
	ap, err := netip.ParseAddrPort(f[7] + ":" + f[8])
	if err != nil {
		t.Fatalf("avahi-browse: %v in %q", err, f)
	}
	return ap, f[9]
}

// TestAvahiBrowse: avahi-browse lists a connector's service with its
// address, port and TXT (avahi drops every response whose IP TTL is not
// 255), and removes it within seconds of a clean stop (the goodbye),
// instead of after the records' TTL (120 s).
func TestAvahiBrowse(t *testing.T) {
	needAvahi(t)
	lab := netns.New(t)
	ha, hb := lab.Host(), lab.Host()
	lab.Segment("10.238.0.0/24", ha, hb)
	av := startAvahi(t, ha, "eth0")
	browser := av.browse()

	cc := netnsChildConfig(t, "peer")
	cc.Only = true
	p := startChild(t, hb, cc)
	instance := p.ID + "-eth0"
	addr, txt := resolved(t, browser, instance)
	if want := netip.MustParseAddr("10.238.0.2"); addr.Addr() != want || addr.Port() != readyPort(t, p) {
		t.Errorf("avahi resolved %v, want %v:%d", addr, want, readyPort(t, p))
	}
	for _, kv := range []string{`"v=1"`, `"id=` + p.ID + `"`, `"app=` + cc.AppID + `"`, `"name=peer"`} {
		if !strings.Contains(txt, kv) {
			t.Errorf("TXT %s lacks %s", txt, kv)
		}
	}

	// A second browser, started now, is answered by the daemon's cache or
	// by a query on the wire: either way it lists the peer.
	late := av.browse()
	if a, _ := resolved(t, late, instance); a != addr {
		t.Errorf("second browser resolved %v, want %v", a, addr)
	}

	stopped := time.Now()
	p.Send("stop")
	p.WaitLine("STOPPED", 10*time.Second)
	// avahi drops a record 1 s after its goodbye (RFC 6762 §10.1); without
	// one it waits for the TTL, 120 s. 20 s is a generous bound for a
	// loaded machine that still tells the two apart.
	gone := browser.WaitLine("-;", 20*time.Second)
	if f := strings.Split(gone, ";"); len(f) < 4 || f[3] != instance {
		t.Errorf("avahi-browse removed %q, want %s", gone, instance)
	}
	t.Logf("avahi-browse removed the stopped peer %v after Stop", time.Since(stopped).Round(10*time.Millisecond))
}

// readyPort is the TCP port of c's READY line ("READY <id> <addr>").
func readyPort(t *testing.T, c *child) uint16 {
	t.Helper()
	f := strings.Fields(c.WaitLine("READY ", time.Second))
	ap, err := netip.ParseAddrPort(f[2])
	if err != nil {
		t.Fatal(fmt.Errorf("READY line %q: %w", f, err))
	}
	return ap.Port()
}
