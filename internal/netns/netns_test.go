//go:build linux

package netns

import (
	"os/exec"
	"strings"
	"testing"
)

// ipIn runs ip with args inside h's namespace and returns its output.
func ipIn(t *testing.T, h *Host, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", h.NS}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
	return string(out)
}

func TestSegmentAndSetUp(t *testing.T) {
	lab := New(t)
	h1, h2, h3 := lab.Host(), lab.Host(), lab.Host()
	_, links := lab.Segment("10.250.7.0/24", h1, h2)
	if len(links) != 2 {
		t.Fatalf("%d links", len(links))
	}
	for i, want := range []string{"10.250.7.1/24", "10.250.7.2/24"} {
		lk := links[i]
		if lk.Addr.String() != want {
			t.Errorf("link %d: %v, want %s", i, lk.Addr, want)
		}
		if out := ipIn(t, lk.Host, "-o", "addr", "show", "dev", lk.Name); !strings.Contains(out, "inet "+want+" ") {
			t.Errorf("%s in %s: %s", lk.Name, lk.Host.NS, out)
		}
	}
	// A second segment numbers from its own subnet; a host may be on both.
	_, links2 := lab.Segment("10.250.8.0/24", h1, h3)
	if links2[0].Name != "eth1" || links2[0].Addr.String() != "10.250.8.1/24" || links2[1].Addr.String() != "10.250.8.2/24" {
		t.Errorf("second segment: %v %v %v", links2[0].Name, links2[0].Addr, links2[1].Addr)
	}

	lk := links[1]
	lk.SetUp(false)
	if out := ipIn(t, lk.Host, "-o", "link", "show", "dev", lk.Name); strings.Contains(out, ",UP") || strings.Contains(out, "<UP") {
		t.Errorf("after SetUp(false): %s", out)
	}
	lk.SetUp(true)
	if out := ipIn(t, lk.Host, "-o", "link", "show", "dev", lk.Name); !strings.Contains(out, ",UP") && !strings.Contains(out, "<UP") {
		t.Errorf("after SetUp(true): %s", out)
	}
}
