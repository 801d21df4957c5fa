package connector

import (
	"os/exec"
	"strings"
	"testing"
)

// Package connector must not link mDNS and DNS code: that is
// connector/mdns's, for the programs that import it.
func TestNoMDNSDependency(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/cablecar-go/cablecar/connector").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/miekg/") || strings.HasPrefix(dep, "github.com/hashicorp/") {
			t.Errorf("connector depends on %s", dep)
		}
	}
}
