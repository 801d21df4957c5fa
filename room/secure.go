package room

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/secure"
)

// Defaults of the secure fields of Config.
const (
	// DefaultCodeExpiry is Config.CodeExpiry when the field is zero.
	DefaultCodeExpiry = 10 * time.Minute
	// DefaultJoinTimeout is Config.JoinTimeout when the field is zero.
	DefaultJoinTimeout = 30 * time.Second
	// MaxPassword is the longest Config.Password, in bytes.
	MaxPassword = 1024
	// roomSecretLen is the length of the room secret an inviting host
	// draws and hands to each joiner over the sealed channel.
	roomSecretLen = 32
)

// Errors of the secure modes (see the package documentation, "Security").
var (
	// ErrWrongCode: the peer's code or password is not ours (key
	// confirmation failed, on both sides). It is secure.ErrWrongCode, whose
	// message tells the user to get a new code. A joiner's Rejected event
	// wraps it; an inviting host's Invited event does, for the code it
	// retired.
	ErrWrongCode = secure.ErrWrongCode

	// ErrCodeExpired: the invitation was older than Config.CodeExpiry; the
	// host retired it (the Reason of an Invited event).
	ErrCodeExpired = errors.New("room: the join code expired; a new one was made")

	// ErrCodeUsed: the invitation admitted a peer; the host retired it, so
	// that one code admits one peer (the Reason of an Invited event).
	ErrCodeUsed = errors.New("room: the join code admitted a peer; a new one was made for the next")

	// ErrNameplateTaken: another host of the AppID offers this host's
	// nameplate. New fails with it for a Config.InviteCode whose nameplate
	// is offered. Two inviting hosts that picked the same nameplate (they
	// started in the same moment, or a beacon was lost) settle it once they
	// hear each other: the host with the higher peer id moves to the lowest
	// free nameplate with a new code, the Reason of its Invited event; the
	// other keeps its code.
	ErrNameplateTaken = errors.New("room: the nameplate is offered by another host")

	// ErrNoHost: a joiner (Config.Code) heard no host offering the code's
	// nameplate within Config.JoinTimeout (the Reason of a Rejected
	// event); the room stopped looking.
	ErrNoHost = errors.New("room: no host offers this code's nameplate (is the host running, on this network, and the code current?)")
)

// Invited is an inviting room's join code (Config.Invite): the first one
// (Reason nil), then each renewal, with the reason the previous one was
// retired: it admitted a peer (ErrCodeUsed), someone tried a wrong code
// (ErrWrongCode: the one guess the code allowed is used up), it expired
// (ErrCodeExpired), or another host offers the same nameplate and this
// one moved to another (ErrNameplateTaken: the nameplate changes too, and
// a code already handed to a joiner is wrong now: hand out the new one).
// Show Code.Reveal to the user; Room.Code returns the current one too.
type Invited struct {
	Code   joincode.Code
	Reason error
}

func (Invited) event() {}

// secure modes of a Room.
const (
	secNone     = iota
	secPassword // Config.Password: every connection runs CPace with it
	secHost     // Config.Invite
	secJoiner   // Config.Code
)

// secState is the secure state of a Room. The fields after mode are
// guarded by Room.mu (hellos run on goroutines of their own).
type secState struct {
	mode   int
	secret []byte // the password, or the room secret (host: drawn at New; joiner: once received)
	code   joincode.Code
	gen    uint64       // host: the invitation's generation (renew increments it)
	busy   bool         // a handshake under the code is in flight
	due    atomic.Int64 // host: the code's expiry; joiner: the join deadline (ns since epoch; read by Xfer without the lock)
	tried  bool         // joiner: a handshake under the code has started
	done   bool         // joiner: in (the room secret received), or given up
	paired bool         // OneToOne: Paired was called
}

// helloKey is the secret one hello runs its handshake with.
type helloKey struct {
	secret    []byte
	nameplate int
	viaCode   bool   // under the join code
	gen       uint64 // host: the invitation it was for
}

// ctrlSecret carries the room secret from an inviting host to a peer it
// admitted with the join code, over their sealed channel: the peer then
// connects to the room's other members with it (see "Security").
type ctrlSecret struct {
	S []byte `json:"s" msgpack:"s"`
}

const codeSecret = 0xFE

func (*ctrlSecret) MessageName() string { return "cablecar.room.secret" }
func (*ctrlSecret) ByteCode() byte      { return codeSecret }

func (c *ctrlSecret) AppendPayload(dst []byte) ([]byte, error) { return append(dst, c.S...), nil }

func (c *ctrlSecret) DecodePayload(p []byte) error {
	if len(p) != roomSecretLen {
		return errBadControl
	}
	c.S = append([]byte(nil), p...)
	return nil
}

func init() {
	controls = append(controls, func() message.Message { return new(ctrlSecret) })
}

// secureDefaults checks the secure fields of c and fills in their defaults.
func (c *Config) secureDefaults() error {
	n := 0
	for _, set := range []bool{c.Password != "", c.Invite, c.Code != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("%w: Password, Invite and Code exclude each other", ErrInvalidConfig)
	}
	if len(c.Password) > MaxPassword {
		return fmt.Errorf("%w: Password is %d bytes, the limit is %d", ErrInvalidConfig, len(c.Password), MaxPassword)
	}
	if (c.Invite || c.Code != "") && (c.direct() || !c.lan()) {
		return fmt.Errorf("%w: Invite and Code need discovery (the nameplate travels in beacons), not Listen, Dial or Transports without LAN", ErrInvalidConfig)
	}
	if c.CodeExpiry < 0 || c.JoinTimeout < 0 {
		return fmt.Errorf("%w: CodeExpiry %v, JoinTimeout %v", ErrInvalidConfig, c.CodeExpiry, c.JoinTimeout)
	}
	if c.CodeExpiry == 0 {
		c.CodeExpiry = DefaultCodeExpiry
	}
	if c.JoinTimeout == 0 {
		c.JoinTimeout = DefaultJoinTimeout
	}
	if c.CodeWords != 0 && (c.CodeWords < joincode.MinWords || c.CodeWords > joincode.MaxWords) {
		return fmt.Errorf("%w: CodeWords %d is not in %d..%d", ErrInvalidConfig, c.CodeWords, joincode.MinWords, joincode.MaxWords)
	}
	if c.InviteCode.Len() != 0 && !c.Invite {
		return fmt.Errorf("%w: InviteCode without Invite", ErrInvalidConfig)
	}
	return nil
}

// initSecure sets the secure mode up from the config (New, before
// discovery starts). A bad Config.Code is an error wrapping
// joincode.ErrBadCode (a *joincode.CodeError says which word).
func (r *Room) initSecure(bc *connector.BroadcastConfig) error {
	c := &r.cfg
	switch {
	case c.Password != "":
		r.sec.mode = secPassword
		r.sec.secret = []byte(c.Password)
	case c.Invite:
		r.sec.mode = secHost
		r.sec.secret = make([]byte, roomSecretLen)
		_, _ = rand.Read(r.sec.secret) // never fails (crypto/rand, Go 1.24+)
	case c.Code != "":
		code, err := joincode.Parse(c.Code)
		if err != nil {
			return fmt.Errorf("room: Config.Code: %w", err)
		}
		r.sec.mode = secJoiner
		r.sec.code = code
		r.sec.due.Store(int64(c.JoinTimeout))
	default:
		return nil
	}
	if bc != nil {
		bc.Secured = true
		switch r.sec.mode {
		case secJoiner:
			bc.Join = r.sec.code.Nameplate()
		case secHost:
			bc.OnNameplate = r.onNameplate // settles two hosts on one nameplate
		}
	}
	return nil
}

// renewLocked makes a new code for nameplate np, retiring the current one,
// and queues its Invited event.
func (r *Room) renewLocked(np int, reason error) error {
	code, err := joincode.Generate(np, r.cfg.CodeWords)
	if err != nil {
		return fmt.Errorf("room: %w", err)
	}
	r.inviteLocked(code, reason)
	return nil
}

// inviteLocked makes code the current one and queues its Invited event.
func (r *Room) inviteLocked(code joincode.Code, reason error) {
	r.sec.code = code
	r.sec.gen++
	r.sec.busy = false
	r.sec.due.Store(int64(time.Since(r.epoch) + r.cfg.CodeExpiry))
	r.cfg.Logger.Debug("room: join code", "code", code, "reason", reason) // String hides the words
	r.queueLocked(arrival{ev: Invited{Code: code, Reason: reason}})
}

// queueLocked is arrive with r.mu held.
func (r *Room) queueLocked(a arrival) {
	if r.closed {
		if a.p != nil {
			a.p.m.Close()
		}
		return
	}
	r.arrivals = append(r.arrivals, a)
	r.pending.Store(true)
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Code returns the current invitation of an inviting room (Config.Invite;
// see Invited), the zero Code for other rooms. Its String hides the
// words; Reveal shows them. It may be called from any goroutine.
func (r *Room) Code() joincode.Code {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sec.mode != secHost {
		return joincode.Code{}
	}
	return r.sec.code
}

// keyFor decides the secret of a new connection: nil without security,
// errRefused when the connection must not run a handshake at all.
func (r *Room) keyFor(p connector.Peer) (*helloKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.sec
	switch s.mode {
	case secNone:
		return nil, nil
	case secPassword:
		return &helloKey{secret: s.secret}, nil
	case secHost:
		if p.Outgoing || p.Nameplate == 0 {
			return &helloKey{secret: s.secret}, nil // a member (or a stranger, who fails)
		}
		if p.Nameplate != s.code.Nameplate() || s.busy {
			return nil, errors.New("another handshake under the join code is in flight (one guess at a time)")
		}
		s.busy = true
		return &helloKey{secret: []byte(s.code.Secret()), nameplate: s.code.Nameplate(), viaCode: true, gen: s.gen}, nil
	case secJoiner:
		if s.done && s.secret != nil {
			return &helloKey{secret: s.secret}, nil // a member now
		}
		if s.done || s.tried || !p.Outgoing || p.Nameplate != s.code.Nameplate() {
			return nil, errors.New("joining: only the host of the code's nameplate, once")
		}
		s.tried = true
		return &helloKey{secret: []byte(s.code.Secret()), nameplate: s.code.Nameplate(), viaCode: true}, nil
	}
	return nil, nil
}

// codeHelloDone runs after a hello under the join code (on its goroutine):
// it retires the host's code on a guess, and ends a joiner's search on a
// failure.
func (r *Room) codeHelloDone(k *helloKey, addr string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.sec
	switch s.mode {
	case secHost:
		if k.gen != s.gen {
			return // retired meanwhile (expired)
		}
		var ge *messenger.GuessError
		switch {
		case err == nil:
			_ = r.renewLocked(s.code.Nameplate(), ErrCodeUsed)
		case errors.As(err, &ge):
			_ = r.renewLocked(s.code.Nameplate(), guessed(addr, err))
		default:
			s.busy = false // no guess was made: the code stands
		}
	case secJoiner:
		var ge *messenger.GuessError
		switch {
		case err == nil:
		case errors.As(err, &ge):
			s.done = true // the code is used up: stop looking
			if r.bc != nil {
				r.bc.Paired() // the connector never calls the room with its lock held
			}
		default:
			s.tried = false // no guess was made (the host was busy, the hello failed): try again
		}
	}
}

// secTick runs in Xfer: the host's code expiry, the joiner's deadline.
func (r *Room) secTick() {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.sec
	if int64(r.now) < s.due.Load() {
		return
	}
	switch s.mode {
	case secHost:
		if s.code.Len() != 0 {
			_ = r.renewLocked(s.code.Nameplate(), ErrCodeExpired)
		}
	case secJoiner:
		switch {
		case s.done:
			s.due.Store(1<<63 - 1)
		case s.tried: // a handshake in flight, or in and waiting for the room secret: look again later
			s.due.Store(int64(r.now + r.cfg.HelloTimeout))
		default:
			s.done = true
			s.due.Store(1<<63 - 1)
			r.queueLocked(arrival{ev: Rejected{Reason: fmt.Errorf("%w: nameplate %d, waited %v", ErrNoHost, s.code.Nameplate(), r.cfg.JoinTimeout)}})
			if r.bc != nil {
				r.bc.Paired()
			}
		}
	}
}

// admitted runs in Xfer when p joined the room: the host hands a peer it
// admitted with the code the room secret; OneToOne pairs.
func (r *Room) admitted(p *peer) {
	if p.viaCode && r.sec.mode == secHost {
		_ = p.m.Send(&ctrlSecret{S: r.sec.secret}) // r.sec.secret never changes on a host
	}
	if r.cfg.OneToOne && r.sec.mode != secNone && r.bc != nil && !r.sec.paired {
		r.sec.paired = true
		r.bc.Paired()
	}
}

// gotSecret handles a ctrlSecret from p: a joiner takes it from the host
// it joined with the code, once, and becomes a member.
func (r *Room) gotSecret(p *peer, c *ctrlSecret) {
	if r.sec.mode != secJoiner || !p.viaCode {
		return
	}
	r.mu.Lock()
	first := r.sec.secret == nil
	if first {
		r.sec.secret = c.S
		r.sec.done = true
	}
	r.mu.Unlock()
	if first && r.bc != nil {
		_ = r.bc.SetJoin(0) // now dial and accept the other members
	}
}

// guessed is the Reason of a renewal after a failed guess: it wraps
// ErrWrongCode even when the guesser hung up before the confirmation
// failed (it could check its guess offline), and the cause.
func guessed(addr string, err error) error {
	if errors.Is(err, ErrWrongCode) {
		return fmt.Errorf("room: someone tried a wrong code (from %s); it is retired: %w", addr, err)
	}
	return fmt.Errorf("room: someone had a guess at the code (from %s) and left: %w; it is retired (%w)", addr, ErrWrongCode, err)
}

// dueNow is the time (since epoch) secTick has something to do.
func (s *secState) dueNow() time.Duration { return time.Duration(s.due.Load()) }

// passwordKey is the key of the connections of Listen and Dial.
func (r *Room) passwordKey() *helloKey {
	if r.sec.mode != secPassword {
		return nil
	}
	return &helloKey{secret: r.sec.secret}
}

// secureOpts sets the secret of k on o.
func secureOpts(o *messenger.Options, k *helloKey) {
	if k != nil {
		o.Secret = k.secret
		o.Nameplate = k.nameplate
	}
}

// refuse closes a connection the secure mode does not take.
func (r *Room) refuse(conn net.Conn, why error) {
	addr := conn.RemoteAddr().String()
	conn.Close()
	r.arrive(arrival{ev: Rejected{Addr: addr, Reason: fmt.Errorf("%w: %w", ErrHello, why)}})
}

// transportKey is the key of a Transport's connections (Config.Transports):
// the password, or a code room's room secret. A join code is proved over
// the LAN only (its nameplate travels in beacons), so a joiner not yet
// admitted has no key there, and its relay connections are refused.
func (r *Room) transportKey() *helloKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sec.mode == secNone || r.sec.secret == nil {
		return nil
	}
	return &helloKey{secret: r.sec.secret}
}
