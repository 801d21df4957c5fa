package app_test

import (
	"context"
	"fmt"
	"os"

	"github.com/cablecar-go/cablecar/cpumon/app"
)

// Run is cpumon: here with flags it refuses (cable_car's protocol has no
// security), so it says why and exits 2 without monitoring. cpumon's main
// passes an Ext whose Relay is package relay's; nil is the LAN only.
func ExampleRun() {
	code := app.Run(context.Background(), []string{"-compat", "-password", "pw"}, os.Stdout, os.Stdout, nil)
	fmt.Println("exit", code)
	// Output:
	// cpumon: -password cannot be combined with -compat: cable_car 1.0.1's protocol has no security
	// exit 2
}
