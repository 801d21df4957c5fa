package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// closeTimeout bounds the flush of the last messages at the end.
const closeTimeout = 3 * time.Second

// run finds the other player, plays one game and prints the result.
func run(ctx context.Context, o *options, out io.Writer) error {
	fmt.Fprintln(out, "looking for the other player...")
	cctx, cancel := context.WithTimeout(ctx, o.timeout)
	op, err := connect(cctx, o, out)
	cancel()
	if err != nil {
		return fmt.Errorf("finding the other player: %w", err)
	}
	hosting := isHost(op)
	role := "guest"
	if hosting {
		role = "host"
	}
	fmt.Fprintf(out, "connected to %s as %s\n", op.addr, role)

	var scr screen
	useAI := o.headless || o.ai
	if !o.headless {
		scr = openScreen(o, "cablecar pong - "+role, out)
		defer scr.close()
		if _, ok := scr.(*termScreen); ok {
			useAI = true // no keyboard in the terminal
		}
	}
	s, err := newSession(op, o, hosting, useAI, out)
	if err != nil {
		op.Close()
		return err
	}
	if o.headless {
		err = s.runHeadless(ctx)
	} else {
		err = s.runScreen(ctx, scr, o, out)
	}
	if errors.Is(err, errPeerQuit) {
		fmt.Fprintln(out, "the other player quit")
		err = nil
	}
	cctx, cancel = context.WithTimeout(context.Background(), closeTimeout)
	cerr := s.close(cctx)
	cancel()
	fmt.Fprintln(out, s.result())
	fmt.Fprintln(out, s.net.summary(time.Now()))
	if err != nil {
		return err
	}
	return cerr
}
