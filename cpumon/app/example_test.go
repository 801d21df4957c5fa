package app_test

import (
	"context"
	"fmt"
	"os"

	"github.com/cablecar-go/cablecar/cpumon/app"
)

// A cpumon without Ext.Relay (the core module's) refuses -relay and says
// which command has it; relay/cmd/cpumon passes an Ext whose Relay is
// package relay's.
func ExampleRun() {
	code := app.Run(context.Background(), []string{"-relay", "nats://HOST:4222"}, os.Stdout, os.Stdout, nil)
	fmt.Println("exit", code)
	// Output:
	// cpumon: this cpumon has no relay: go run ./relay/cmd/cpumon -relay URL
	// exit 2
}
