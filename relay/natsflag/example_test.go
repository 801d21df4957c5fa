package natsflag_test

import (
	"flag"
	"fmt"
	"io"

	"github.com/cablecar-go/cablecar/relay/natsflag"
)

// A program registers the flags next to its own -relay, parses them, and
// makes the relay for the URL (it connects when the room starts it).
func ExampleFlags() {
	var f natsflag.Flags
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("relay", "", "NATS server `URL`")
	f.Register(fs, true)
	if err := fs.Parse([]string{"-relay", "nats://127.0.0.1:4222", "-token", "s3cret"}); err != nil {
		fmt.Println(err)
		return
	}
	tr, err := f.Relay(*url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close() // never started: nothing to stop
	fmt.Printf("%T with token %q\n", tr, f.Token)
	// Output:
	// *relay.Relay with token "s3cret"
}
