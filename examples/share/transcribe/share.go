package transcribe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/room"
	"github.com/cablecar-go/cablecar/secure"
)

// shutdownTimeout bounds the goodbye to the peer when a side closes.
const shutdownTimeout = time.Second

// Initiator is the side that offers a blob and gets a code (Offer), or
// takes up a saved one (Resume). Its methods belong to one goroutine.
type Initiator struct {
	cfg   Config
	r     *room.Room
	state State
}

// Offer starts an initiator for blob: a room that hosts an invitation
// (the lowest nameplate free on the LAN for cfg.AppID, a new code valid
// for cfg.Timeout). Show Code().Reveal() to the user, keep State() if the
// program may restart, then call Wait. A blob over cfg.MaxBlob fails with
// a *SizeError.
func Offer(ctx context.Context, cfg *Config, blob []byte) (*Initiator, error) {
	c, err := cfg.withDefaults(DefaultOfferTimeout)
	if err != nil {
		return nil, err
	}
	if err := c.checkBlob(blob); err != nil {
		return nil, err
	}
	i := &Initiator{cfg: c, state: State{AppID: c.AppID, Expires: time.Now().Add(c.Timeout).UTC(), Blob: append([]byte{}, blob...)}}
	if err := i.start(ctx, nil); err != nil {
		return nil, err
	}
	return i, nil
}

// Resume starts an initiator again from a saved State, with the same code
// (and nameplate) until the state's expiry: a receiver who was given the
// code before the restart can still use it. A state past its expiry fails
// with ErrCodeExpired; a state whose AppID is not cfg's with ErrBadState.
func Resume(ctx context.Context, cfg *Config, st *State) (*Initiator, error) {
	c, err := cfg.withDefaults(DefaultOfferTimeout)
	if err != nil {
		return nil, err
	}
	if st.AppID != c.AppID {
		return nil, fmt.Errorf("%w: the state is for app %q, not %q", ErrBadState, st.AppID, c.AppID)
	}
	if err := c.checkBlob(st.Blob); err != nil {
		return nil, err
	}
	left := time.Until(st.Expires)
	if left <= 0 {
		return nil, fmt.Errorf("%w (it expired at %s)", ErrCodeExpired, st.Expires.Format(time.RFC3339))
	}
	i := &Initiator{cfg: c, state: *st}
	code := st.Code
	if err := i.start(ctx, &code); err != nil {
		return nil, err
	}
	return i, nil
}

// start makes the host room: a new invitation, or code's again.
func (i *Initiator) start(ctx context.Context, code *joincode.Code) error {
	rc := i.roomConfig()
	rc.Invite = true
	rc.CodeExpiry = time.Until(i.state.Expires)
	rc.CodeWords = i.cfg.Words
	if code != nil {
		rc.InviteCode = *code
	}
	r, err := room.New(ctx, rc)
	if err != nil {
		return fmt.Errorf("transcribe: %w", err)
	}
	i.r = r
	i.state.Code = r.Code()
	return nil
}

func (i *Initiator) roomConfig() *room.Config {
	return roomConfig(&i.cfg)
}

func roomConfig(c *Config) *room.Config {
	return &room.Config{
		AppID: c.AppID, Codec: newCodec(), Loopback: c.Loopback, UDPPort: c.UDPPort,
		Interval: c.Interval, Name: "share",
	}
}

// Code returns the initiator's code. Its Reveal is for the user's eyes:
// never send or log it (String hides the words).
func (i *Initiator) Code() joincode.Code { return i.state.Code }

// State returns what Resume needs after a restart. It holds the code:
// save it with SaveState (mode 0600).
func (i *Initiator) State() *State {
	s := i.state
	return &s
}

// Wait waits for a receiver, gives it the blob and returns the receiver's
// blob. It fails with an error wrapping secure.ErrWrongCode when someone
// tried a wrong code (the code is used up: start a new Offer), with
// ErrCodeExpired or ErrTimeout when no receiver came before the code
// expired, with an error wrapping room.ErrNameplateTaken when another
// sender offering the same nameplate made this one move (the code given
// out is no longer this sender's), with a *SizeError or ErrRefused when a
// blob was over a limit,
// and with ErrPeerLeft when the receiver went away half way. Call Close
// afterwards in every case.
func (i *Initiator) Wait(ctx context.Context) ([]byte, error) {
	blob, err := exchange(ctx, i.r, i.state.Blob, i.cfg.MaxBlob, i.cfg.Poll, i.state.Expires, func(ev room.Event, joined bool) error {
		// Once the receiver is in, the room's next codes are none of ours:
		// a stranger's guess at one does not end the exchange.
		inv, ok := ev.(room.Invited)
		if !ok || inv.Reason == nil || joined {
			return nil
		}
		if errors.Is(inv.Reason, secure.ErrWrongCode) {
			return fmt.Errorf("transcribe: someone tried a wrong code: %w", inv.Reason)
		}
		if errors.Is(inv.Reason, room.ErrCodeExpired) {
			return fmt.Errorf("%w: %w", ErrCodeExpired, inv.Reason)
		}
		if errors.Is(inv.Reason, room.ErrNameplateTaken) {
			// Another sender offers the code's nameplate and this room
			// moved: a receiver typing our code would reach the other one.
			return fmt.Errorf("transcribe: another sender on this network took the code's nameplate; start a new offer: %w", inv.Reason)
		}
		return nil
	})
	if errors.Is(err, ErrTimeout) && !time.Now().Before(i.state.Expires) {
		err = fmt.Errorf("%w: %w", ErrCodeExpired, err)
	}
	return blob, err
}

// Close says goodbye to the peer (bounded by a second) and stops the
// room. It may be called more than once.
func (i *Initiator) Close() error {
	if i.r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := i.r.Shutdown(ctx)
	i.r = nil
	return err
}

// Receive is the other side: it finds the initiator that advertises
// code's nameplate, runs the PAKE with code's words, gives it blob and
// returns the initiator's blob. A code that does not parse fails with
// joincode.ErrBadCode, a wrong one with an error wrapping
// secure.ErrWrongCode (the initiator fails too: ask for a new code), no
// initiator within cfg.Timeout with ErrTimeout.
func Receive(ctx context.Context, cfg *Config, code string, blob []byte) ([]byte, error) {
	c, err := cfg.withDefaults(DefaultReceiveTimeout)
	if err != nil {
		return nil, err
	}
	if err := c.checkBlob(blob); err != nil {
		return nil, err
	}
	if _, err := joincode.Parse(code); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(c.Timeout)
	rc := roomConfig(&c)
	rc.Code = code
	rc.JoinTimeout = c.Timeout
	r, err := room.New(ctx, rc)
	if err != nil {
		return nil, fmt.Errorf("transcribe: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		r.Shutdown(ctx)
	}()
	return exchange(ctx, r, blob, c.MaxBlob, c.Poll, deadline, func(ev room.Event, joined bool) error {
		// Once in, the room dials the other members of the initiator's
		// room, and any other room of the app id on the LAN (another
		// exchange, whose secret is not ours): their refusals are not
		// this exchange's.
		rj, ok := ev.(room.Rejected)
		switch {
		case !ok || joined:
		case errors.Is(rj.Reason, secure.ErrWrongCode):
			return fmt.Errorf("transcribe: %w", rj.Reason)
		case errors.Is(rj.Reason, room.ErrNoHost):
			return fmt.Errorf("%w: %w", ErrTimeout, rj.Reason)
		}
		return nil
	})
}
