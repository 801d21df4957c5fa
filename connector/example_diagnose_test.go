package connector_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/connector"
)

// The doctor on loopback: everything works, nobody else runs. A program
// prints rep (one line per finding) and exits non-zero unless rep.OK().
func ExampleDiagnose() {
	cfg := connector.BroadcastConfig{AppID: "example-doctor", UDPPort: freeUDPPort(), Loopback: true,
		Interval: 100 * time.Millisecond}
	rep, err := connector.Diagnose(context.Background(), &cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.OK())
	for _, f := range rep.Findings {
		fmt.Println(f.Severity, f.Check)
	}
	// Output:
	// true
	// ok interface
	// info firewall
	// ok port
	// ok echo
	// info heard
}

// A status line while waiting for peers, and why nobody came.
func ExampleBroadcastConnector_Progress() {
	cfg := connector.BroadcastConfig{AppID: "example-progress", UDPPort: freeUDPPort(), Loopback: true,
		Interval: 50 * time.Millisecond}
	c, _ := connector.NewBroadcastConnector(&cfg)
	defer c.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Connect(ctx)
	p := c.Progress()
	fmt.Println(p.Targets[0].Interface, p.Targets[0].Broadcast, p.Heard)
	fmt.Println(err)
	// Output:
	// lo 127.255.255.255 0
	// connector: connect: context deadline exceeded: nobody found: connector: no peer heard: nobody on the LAN answers (the doctor, Diagnose, checks more)
}
