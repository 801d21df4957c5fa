//go:build linux

package mdns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/connector/internal/testpeer"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/netns"
)

// The doctor's mDNS check (connector.Diagnose with this Discoverer), run
// as a child process inside a namespace host.

const doctorEnv = "CABLECAR_MDNS_TEST_DOCTOR"

func init() {
	if v := os.Getenv(doctorEnv); v != "" {
		os.Exit(doctorMain(v))
	}
}

func doctorMain(v string) int {
	var app string
	if code := testpeer.Decode("doctor", v, &app); code != 0 {
		return code
	}
	if code := testpeer.Confined("doctor"); code != 0 {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep, err := connector.Diagnose(ctx, &connector.BroadcastConfig{AppID: app, Discovery: New(), Interval: 200 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, "doctor:", err)
		return 1
	}
	for _, f := range rep.Findings {
		if f.Check == "mdns" {
			fmt.Printf("MDNS %s %v %s\n", f.Severity, errors.Is(f.Err, connector.ErrMDNS), f.Message)
		}
	}
	fmt.Println("DONE")
	return 0
}

func mdnsFinding(t *testing.T, h *netns.Host) string {
	t.Helper()
	p := testpeer.Start(t, h, "doctor", doctorEnv, "doctor/"+t.Name())
	p.WaitLine("DONE", 30*time.Second)
	for _, l := range p.Lines() {
		if s, ok := strings.CutPrefix(l, "MDNS "); ok {
			return s
		}
	}
	t.Fatal("no mdns finding")
	return ""
}

func TestNetnsDoctorMDNS(t *testing.T) {
	leakcheck.Check(t)
	lab := netns.New(t)
	h1, h2 := lab.Host(), lab.Host()
	lab.Segment("10.246.0.0/24", h1, h2)
	if got := mdnsFinding(t, h1); !strings.HasPrefix(got, "ok false the discoverer (mDNS) finds our own announcement") {
		t.Errorf("healthy: %q", got)
	}
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft (nftables) is not installed")
	}
	for _, args := range [][]string{
		{"add", "table", "inet", "fw"},
		{"add", "chain", "inet", "fw", "input", "{ type filter hook input priority 0; }"},
		{"add", "rule", "inet", "fw", "input", "udp", "dport", "5353", "drop"},
	} {
		if out, err := h2.Command(context.Background(), "nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v: %s", args, err, out)
		}
	}
	if got := mdnsFinding(t, h2); !strings.HasPrefix(got, "warn true the discoverer (mDNS) did not find our own announcement") {
		t.Errorf("udp 5353 dropped: %q", got)
	}
}
