package app_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/cablecar-go/cablecar/examples/chat/app"
)

// A chat without Ext.Relay (examples/chat's) refuses -relay and says
// which command has it; relay/cmd/chat passes an Ext whose Relay is
// package relay's.
func ExampleRun() {
	code := app.Run(context.Background(), []string{"-relay", "nats://HOST:4222"}, strings.NewReader(""), os.Stdout, os.Stdout, nil)
	fmt.Println("exit", code)
	// Output:
	// chat: this chat has no relay: go run ./relay/cmd/chat -relay URL
	// exit 2
}
