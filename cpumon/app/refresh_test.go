package app

import (
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/internal/table"
	"github.com/cablecar-go/cablecar/cpumon/wire"
)

// TestRefreshForgetsGoneHostsWithoutView: with -json (no table drawn) a host
// that left is still dropped after Linger, so a long-running monitor does
// not keep every peer it ever saw.
func TestRefreshForgetsGoneHostsWithoutView(t *testing.T) {
	const linger = time.Minute
	mo := &monitor{
		hosts: table.NewHosts(&table.Config{Linger: linger}),
	}
	t0 := time.Now()
	mo.hosts.Update("left-long-ago", &wire.MsgStats{Host: "a"}, t0)
	mo.hosts.Disconnected("left-long-ago", t0)
	mo.hosts.Update("here", &wire.MsgStats{Host: "b"}, t0.Add(linger))
	if err := mo.refresh(t0.Add(linger + time.Second)); err != nil {
		t.Fatal(err)
	}
	rows := mo.hosts.Rows(t0.Add(linger + time.Second))
	if len(rows) != 1 || rows[0].Key != "here" {
		t.Fatalf("hosts after refresh: %+v, want only the one still here", rows)
	}
}
