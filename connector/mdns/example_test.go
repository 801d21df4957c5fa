package mdns_test

import (
	"fmt"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/connector/mdns"
)

// A connector that finds peers by mDNS as well as by broadcast beacons.
// Start it as any other (not run here: mDNS multicasts on the LAN).
func Example() {
	c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
		AppID:     "my-game",
		Discovery: mdns.New(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.ID() != 0)
	// Output: true
}
