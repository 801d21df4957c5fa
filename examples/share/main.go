// Command share hands a small blob (a line of text, a key, a file of up
// to 64 KiB) to another machine of the LAN with a short code, and takes
// one back: wormhole-sync's "transcribe" mode, with no server.
//
//	go run ./examples/share send "some text"         # prints a code, e.g. 7-guitarist-revenge
//	go run ./examples/share receive 7-guitarist-revenge "my reply"
//
// Run share -h for the flags. The work is done by package transcribe
// (examples/share/transcribe); this file reads the flags and the blobs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
