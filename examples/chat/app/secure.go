package app

import (
	"errors"
	"fmt"
	"io"

	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// secureView shows the events of -code and -password.
type secureView struct {
	cfg     config
	refused map[string]bool // the kinds of refusal shown already
	in      bool            // a peer has joined: a joiner's code worked
}

// event shows the host's join codes, and the first connection refused
// for each kind of secret mismatch (a stranger's chat redials at each of
// its beacons). A joiner whose code failed (wrong, or no host offers it)
// gets an error: the chat ends.
func (v *secureView) event(ev room.Event, out io.Writer) error {
	cfg := v.cfg
	switch ev := ev.(type) {
	case room.Invited:
		code := ev.Code.Reveal()
		switch {
		case ev.Reason == nil:
			fmt.Fprintf(out, "* join code: %s (others join with: chat -code %s)\n", code, code)
		case errors.Is(ev.Reason, room.ErrCodeUsed):
			fmt.Fprintf(out, "* the code let someone in; the next one joins with %s\n", code)
		case errors.Is(ev.Reason, room.ErrWrongCode):
			fmt.Fprintf(out, "* someone tried a wrong code, which is now used up; new join code: %s\n", code)
		default:
			fmt.Fprintf(out, "* the code expired; new join code: %s\n", code)
		}
	case room.Rejected:
		// Until it is in, a joiner's one refusal is its code's; once in,
		// its room dials every chat of the LAN, and those of other rooms
		// (other secrets) refuse it.
		joining := cfg.code.set && !cfg.code.invite && !v.in
		switch {
		case joining && (errors.Is(ev.Reason, room.ErrWrongCode) || errors.Is(ev.Reason, room.ErrNoHost)):
			return ev.Reason
		case errors.Is(ev.Reason, room.ErrWrongCode):
			v.refuse(out, "wrong", "* refused %s: it has another password or code (shown once)\n", ev.Addr)
		case secretMismatch(ev.Reason):
			v.refuse(out, "none", "* refused %s: one of us has a password or code, the other none (shown once)\n", ev.Addr)
		}
	}
	return nil
}

func (v *secureView) refuse(out io.Writer, kind, format string, args ...any) {
	if v.refused[kind] {
		return
	}
	if v.refused == nil {
		v.refused = map[string]bool{}
	}
	v.refused[kind] = true
	fmt.Fprintf(out, format, args...)
}

// secretMismatch reports whether err is a hello refused because one side
// has a secret (a password or code) and the other none: their protocol
// versions are the secure one and the plain one.
func secretMismatch(err error) bool {
	var he *messenger.HelloError
	if !errors.As(err, &he) || he.Field != "version" {
		return false
	}
	plain, sealed := fmt.Sprint(messenger.ProtocolVersion), fmt.Sprint(messenger.SecureProtocolVersion)
	return (he.Local == plain && he.Remote == sealed) || (he.Local == sealed && he.Remote == plain)
}
