package app_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cablecar-go/cablecar/examples/chat/app"
	"github.com/cablecar-go/cablecar/room"
)

// An Ext with a Relay gives the chat -relay (the chat's main passes one
// made by relay/natsflag); here the flags are refused before the relay is
// made: join codes are proved on the LAN only.
func ExampleRun() {
	ext := &app.Ext{Relay: func(string) (room.Transport, error) { return nil, errors.New("no server in an example") }}
	code := app.Run(context.Background(), []string{"-relay", "nats://HOST:4222", "-code"}, strings.NewReader(""), os.Stdout, os.Stdout, ext)
	fmt.Println("exit", code)
	// Output:
	// chat: -code works on the LAN only; through the relay use -password
	// exit 2
}
