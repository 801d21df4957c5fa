package transcribe_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/examples/share/transcribe"
)

// Two sides on this machine: the initiator offers a blob and gets a code,
// the receiver types the code, and each gets the other's blob.
func ExampleOffer() {
	cfg := &transcribe.Config{AppID: "transcribe-example", Loopback: true, UDPPort: 18311, Interval: 100 * time.Millisecond}
	ctx := context.Background()

	in, err := transcribe.Offer(ctx, cfg, []byte("the initiator's blob"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	code := in.Code().Reveal() // shown to the user, read aloud, typed on the other side

	done := make(chan []byte)
	go func() {
		got, err := transcribe.Receive(ctx, cfg, code, []byte("the receiver's blob"))
		if err != nil {
			fmt.Println(err)
		}
		done <- got
	}()
	got, err := in.Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("initiator got %q\n", got)
	fmt.Printf("receiver got %q\n", <-done)
	// Output:
	// initiator got "the receiver's blob"
	// receiver got "the initiator's blob"
}
