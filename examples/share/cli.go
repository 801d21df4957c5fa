package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/cablecar-go/cablecar/examples/share/transcribe"
	"github.com/cablecar-go/cablecar/secure"
)

const usageText = `Usage:
  share send [flags] [TEXT]         offer TEXT (or -file), print a code, wait for the receiver
  share receive [flags] CODE [TEXT] give TEXT (or -file, or nothing) to CODE's sender, get its blob

Each side prints what it got on standard output; the code and progress go
to standard error. The code is good for one receiver and one try: a wrong
code ends both sides (ask the sender for a new one). send with no TEXT and
no -file reads standard input.

The exchange: the sender's beacons carry the code's number (the
nameplate) only; the receiver connects to the sender with that number, the
two run a PAKE (CPace) with the code's words, and everything after that is
sealed (ChaCha20-Poly1305). Someone on the LAN who does not have the code
can stop the exchange (one wrong guess uses the code up) but can neither
read nor change it; one guess has 1 chance in 65536 with two words.

Timeout and polling: the sender waits for a receiver until its code expires
(-timeout, 10m); the receiver looks for the sender and exchanges within its
-timeout (1m). The sender's beacons go out every -interval (500ms), so a
receiver connects within about one interval; each side pumps its
connection every -poll (10ms).

Flags (both commands):
  -lo             stay on this machine: beacons to 127.255.255.255 only
  -port N         UDP beacon port (default 8224); both sides need the same
  -timeout D      see above (default 10m for send, 1m for receive)
  -interval D     time between two beacons (default 500ms)
  -poll D         time between two pumps of the connection (default 10ms)
  -max N          largest blob sent or accepted, in bytes (default 65536, at most 1048576)
  -file F         read this side's blob from F ("-": standard input)
Flags of send:
  -state F        save the offer in F (mode 0600: it holds the code) and, if F
                  holds a saved offer still valid, take it up again with the
                  same code: a sender killed or restarted is run again with
                  the same -state. F is removed once the code is used up.
  -words N        words in the code, 2 to 4 (default 2)
`

// opts is what the flags say.
type opts struct {
	cfg   transcribe.Config
	file  string
	state string
}

func parse(cmd string, args []string, stderr io.Writer) (opts, []string, error) {
	var o opts
	fs := flag.NewFlagSet("share "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText) }
	fs.BoolVar(&o.cfg.Loopback, "lo", false, "")
	fs.IntVar(&o.cfg.UDPPort, "port", 0, "")
	fs.DurationVar(&o.cfg.Timeout, "timeout", 0, "")
	fs.DurationVar(&o.cfg.Interval, "interval", 0, "")
	fs.DurationVar(&o.cfg.Poll, "poll", 0, "")
	fs.IntVar(&o.cfg.MaxBlob, "max", 0, "")
	fs.StringVar(&o.file, "file", "", "")
	if cmd == "send" {
		fs.StringVar(&o.state, "state", "", "")
		fs.IntVar(&o.cfg.Words, "words", 0, "")
	}
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	return o, fs.Args(), nil
}

// run is share; it returns the exit status: 0 done, 1 failed, 2 bad usage.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "send" && args[0] != "receive") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stderr, usageText)
			return 0
		}
		fmt.Fprint(stderr, usageText)
		return 2
	}
	cmd := args[0]
	o, rest, err := parse(cmd, args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	var got []byte
	switch cmd {
	case "send":
		if len(rest) > 1 {
			fmt.Fprintln(stderr, "share send: one TEXT at most (quote it)")
			return 2
		}
		got, err = send(ctx, o, rest, stdin, stderr)
	case "receive":
		if len(rest) < 1 || len(rest) > 2 {
			fmt.Fprintln(stderr, "share receive: want CODE and at most one TEXT")
			return 2
		}
		var blob []byte
		blob, err = readBlob(o, rest[1:], stdin, false)
		if err == nil {
			got, err = transcribe.Receive(ctx, &o.cfg, rest[0], blob)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "share %s: %v\n", cmd, err)
		return 1
	}
	fmt.Fprintf(stderr, "share: got %d bytes\n", len(got))
	stdout.Write(got)
	if len(got) > 0 && got[len(got)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	return 0
}

// readBlob returns this side's blob: the TEXT argument, the -file, or (for
// send, with neither) standard input. It reads at most the limit and one
// byte, so that a blob too large is refused, not read whole.
func readBlob(o opts, text []string, stdin io.Reader, stdinDefault bool) ([]byte, error) {
	if len(text) > 0 && o.file != "" {
		return nil, errors.New("TEXT and -file: give one")
	}
	if len(text) > 0 {
		return []byte(text[0]), nil
	}
	var r io.Reader
	switch {
	case o.file == "-" || (o.file == "" && stdinDefault):
		r = stdin
	case o.file != "":
		f, err := os.Open(o.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	default:
		return []byte{}, nil
	}
	limit := o.cfg.MaxBlob
	if limit == 0 {
		limit = transcribe.DefaultMaxBlob
	}
	return io.ReadAll(io.LimitReader(r, int64(limit)+1)) // one over: Offer/Receive refuse it
}

// send is "share send": a new offer, or the saved one of -state.
func send(ctx context.Context, o opts, text []string, stdin io.Reader, stderr io.Writer) ([]byte, error) {
	var (
		in  *transcribe.Initiator
		err error
	)
	var saved *transcribe.State
	if o.state != "" {
		saved, err = transcribe.LoadState(o.state)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if saved != nil {
		if len(text) > 0 || o.file != "" {
			blob, err := readBlob(o, text, stdin, false)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(blob, saved.Blob) {
				return nil, fmt.Errorf("%s holds an offer of another blob: remove it to offer this one", o.state)
			}
		}
		in, err = transcribe.Resume(ctx, &o.cfg, saved)
		if errors.Is(err, transcribe.ErrCodeExpired) {
			os.Remove(o.state)
			return nil, fmt.Errorf("%w; %s removed", err, o.state)
		}
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "share: resumed the offer saved in %s\n", o.state)
	} else {
		blob, err := readBlob(o, text, stdin, true)
		if err != nil {
			return nil, err
		}
		in, err = transcribe.Offer(ctx, &o.cfg, blob)
		if err != nil {
			return nil, err
		}
		if o.state != "" {
			if err := transcribe.SaveState(o.state, in.State()); err != nil {
				in.Close()
				return nil, err
			}
		}
	}
	defer in.Close()
	st := in.State()
	fmt.Fprintf(stderr, "code: %s\n", in.Code().Reveal())
	fmt.Fprintf(stderr, "share: valid until %s; on the other machine: share receive %s\n",
		st.Expires.Local().Format(time.TimeOnly), in.Code().Reveal())
	got, err := in.Wait(ctx)
	if o.state != "" && (err == nil || errors.Is(err, secure.ErrWrongCode) || errors.Is(err, transcribe.ErrCodeExpired)) {
		os.Remove(o.state) // the code is used up
	}
	return got, err
}
