package secure

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Role says which side of the handshake a Handshake plays.
type Role uint8

const (
	// Initiator speaks first (the side that dialled; in join code mode, the
	// joiner).
	Initiator Role = iota + 1
	// Responder answers (the side that accepted; the host).
	Responder
)

func (r Role) String() string {
	switch r {
	case Initiator:
		return "initiator"
	case Responder:
		return "responder"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Version is the version of the handshake and record protocol this package
// speaks; it is the default of Config.Versions.
const Version uint16 = 1

// Config is the input of a handshake. Both sides must give the same
// Secret, AppID, Nameplate and Context, and each the other's id as
// RemoteID, or key confirmation fails on both with ErrWrongCode.
// NewHandshake works on a copy; the caller's Config is never changed.
type Config struct {
	// Role is Initiator or Responder. Required.
	Role Role
	// Secret is CPace's password (PRS): the words of a join code
	// (joincode.Code.Secret, already normalised) or a shared password
	// (normalise it first, e.g. to NFC, if users type it on different
	// systems). Required, non-empty. It is never sent, in any form.
	Secret []byte
	// AppID scopes the key to one application. Default "".
	AppID string
	// Nameplate is the join code's public number, 0 (the default) in
	// password mode.
	Nameplate int
	// LocalID and RemoteID are this side's and the peer's ids (as the
	// Messenger's hello announced them). They must differ: a run whose
	// peer has this side's own id is what a reflection of this side's
	// messages onto its own other role looks like (the draft's loopback
	// attack), and is refused with ErrConfig. Default "" (so set at
	// least one).
	LocalID, RemoteID string
	// Versions lists the protocol versions this side accepts. Default
	// []uint16{Version}; at most MaxVersions. The highest common one is
	// used; the lists are bound into the key, so changing them on the way
	// (a downgrade) fails key confirmation.
	Versions []uint16
	// Context is any further data both sides hold and want bound to the
	// key, for example the bytes of both hellos. It is part of CPace's
	// channel identifier and is never sent. Default nil.
	Context []byte
	// Rand is the source of the nonce and the CPace scalar. Default (nil)
	// crypto/rand. For tests only.
	Rand io.Reader
}

type state uint8

const (
	stateNew state = iota
	stateWaitReply
	stateWaitHello
	stateWaitConfirmA
	stateWaitConfirmB
	stateDone
	stateFailed
)

// Handshake is one side of a CPace handshake with explicit key
// confirmation. It is a state machine with no I/O of its own: the caller
// moves messages between the two sides, which suits a non-blocking
// message pump. The flow is
//
//	initiator                      responder
//	Start       -- hello -->       Read -> reply
//	Read        <-- reply --
//	  -> confirmA  -- confirmA --> Read -> confirmB, done
//	Read -> done  <-- confirmB --
//
// Messages are delimited by MessageLen. A Handshake is not safe for
// concurrent use.
type Handshake struct {
	cfg     Config
	state   state
	err     error
	nonce   [nonceSize]byte
	y       *ecdh.PrivateKey
	ci      []byte
	sid     []byte
	ada     []byte
	adb     []byte
	version uint16
	share   [32]byte      // this side's CPace share (Ya or Yb)
	peerTag [tagSize]byte // the tag the peer must send (initiator)
	keys    Keys
	// attempted: the peer has had its guess (see Attempted).
	attempted bool
}

// NewHandshake returns a handshake for cfg, with its nonce and scalar
// drawn. It fails with ErrConfig for a bad Config.
func NewHandshake(cfg *Config) (*Handshake, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%w: nil Config", ErrConfig)
	}
	c := *cfg
	if c.Role != Initiator && c.Role != Responder {
		return nil, fmt.Errorf("%w: Role %v", ErrConfig, c.Role)
	}
	if len(c.Secret) == 0 {
		return nil, fmt.Errorf("%w: empty Secret", ErrConfig)
	}
	if c.LocalID == c.RemoteID {
		return nil, fmt.Errorf("%w: RemoteID %q is this side's own LocalID (a reflection of its own messages would complete)", ErrConfig, c.RemoteID)
	}
	if c.Nameplate < 0 {
		return nil, fmt.Errorf("%w: negative Nameplate", ErrConfig)
	}
	if len(c.Versions) == 0 {
		c.Versions = []uint16{Version}
	}
	if len(c.Versions) > MaxVersions {
		return nil, fmt.Errorf("%w: %d Versions, at most %d", ErrConfig, len(c.Versions), MaxVersions)
	}
	c.Secret = slices.Clone(c.Secret)
	c.Versions = slices.Clone(c.Versions)
	c.Context = slices.Clone(c.Context)
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	var seed [nonceSize + 32]byte
	if _, err := io.ReadFull(r, seed[:]); err != nil {
		return nil, fmt.Errorf("secure: reading randomness: %w", err)
	}
	h := &Handshake{cfg: c}
	copy(h.nonce[:], seed[:nonceSize])
	y, err := ecdh.X25519().NewPrivateKey(seed[nonceSize:])
	if err != nil {
		return nil, fmt.Errorf("secure: scalar: %w", err)
	}
	h.y = y
	init, resp := c.LocalID, c.RemoteID
	if c.Role == Responder {
		init, resp = resp, init
	}
	// CPace's channel identifier: everything both sides must agree on,
	// initiator's id first (the draft's guidance); never sent.
	h.ci = lvCat([]byte("cablecar/secure"), []byte(DraftVersion), []byte(Suite),
		[]byte(c.AppID), []byte(strconv.Itoa(c.Nameplate)), []byte(init), []byte(resp), c.Context)
	return h, nil
}

// Start begins the handshake. For the initiator it returns the first
// message, to send to the responder. For the responder it returns nil
// (calling it is optional). A second call fails with ErrState.
func (h *Handshake) Start() ([]byte, error) {
	if h.state != stateNew {
		return nil, h.stateErr("Start")
	}
	if h.cfg.Role == Responder {
		h.state = stateWaitHello
		return nil, nil
	}
	h.state = stateWaitReply
	m := hello{nonce: h.nonce, versions: h.cfg.Versions}
	h.ada = adVersions(h.cfg.Versions)
	return m.marshal(), nil
}

// Read takes the peer's next handshake message, exactly one whole message
// (see MessageLen). It returns the message to send back, if any, and done
// once the handshake has succeeded; Keys then gives the keys.
//
// A wrong code is found here on both sides as ErrWrongCode: the responder
// when it checks the initiator's confirmation, the initiator when it
// checks the responder's. In that case the responder's Read returns its
// own confirmation as reply together with the error: send it (best
// effort) before closing, so that the initiator learns of the failure
// from the keys too, within one round trip. Any other error (ErrBadMessage,
// ErrInvalidPoint, ErrVersion) comes with no reply. Every error is final:
// later calls return it again.
func (h *Handshake) Read(msg []byte) (reply []byte, done bool, err error) {
	switch h.state {
	case stateFailed:
		return nil, false, h.err
	case stateNew:
		if h.cfg.Role == Responder {
			h.state = stateWaitHello
			return h.Read(msg)
		}
		return nil, false, h.stateErr("Read")
	case stateWaitHello:
		reply, err = h.readHello(msg)
	case stateWaitReply:
		reply, err = h.readReply(msg)
	case stateWaitConfirmA:
		reply, err = h.readConfirmA(msg)
		done = err == nil
	case stateWaitConfirmB:
		err = h.readConfirmB(msg)
		done = err == nil
	default:
		return nil, false, h.stateErr("Read")
	}
	if err != nil {
		h.state, h.err = stateFailed, err
		h.y = nil
		return reply, false, err
	}
	if done {
		h.state = stateDone
		h.y = nil
	}
	return reply, done, nil
}

// Keys returns the session keys once Read has reported done; before that
// it fails with ErrState.
func (h *Handshake) Keys() (Keys, error) {
	if h.state != stateDone {
		if h.state == stateFailed {
			return Keys{}, h.err
		}
		return Keys{}, h.stateErr("Keys")
	}
	return h.keys, nil
}

// Attempted reports whether this run has given the peer its one guess at
// the secret: for the initiator, once Read has returned confirmA (its tag
// Ta, which a peer posing as the responder can check against one guessed
// code, offline, and then just hang up); for the responder, once Read has
// checked the initiator's Ta. An app that allows one guess per code
// counts every attempted run that did not end done as a failed attempt —
// on the initiator's side too, even when it ended by a lost connection
// rather than ErrWrongCode, and on the host's side for every run in
// flight: Attempted runs of one code must not overlap (retire the code
// before the next run under it gets to check a Ta), or each gives an
// attacker a guess. A run that stopped earlier, or on an invalid point
// or a malformed message, gave no guess.
func (h *Handshake) Attempted() bool { return h.attempted }

func (h *Handshake) stateErr(call string) error {
	return fmt.Errorf("%w: %s by the %v in state %d", ErrState, call, h.cfg.Role, h.state)
}

// readHello is the responder's step 1: choose the version, answer with Yb.
func (h *Handshake) readHello(msg []byte) ([]byte, error) {
	m, err := parseHello(msg)
	if err != nil {
		return nil, err
	}
	var best uint16
	found := false
	for _, v := range m.versions {
		if slices.Contains(h.cfg.Versions, v) && (!found || v > best) {
			best, found = v, true
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: peer offers %v, this side accepts %v", ErrVersion, m.versions, h.cfg.Versions)
	}
	h.version = best
	h.ada, h.adb = adVersions(m.versions), adVersion(best)
	h.sid = append(m.nonce[:], h.nonce[:]...)
	g := calculateGenerator(h.cfg.Secret, h.ci, h.sid)
	yb, ok := scalarMultVfy(h.y, g[:])
	if !ok { // unreachable: Elligator2 never maps to a low-order point for a hash output
		return nil, fmt.Errorf("%w: own share", ErrInvalidPoint)
	}
	h.share = yb
	r := reply{version: best, nonce: h.nonce, y: yb}
	h.state = stateWaitConfirmA
	return r.marshal(), nil
}

// readReply is the initiator's step 2: compute Ya, K, ISK; send Ya and Ta.
func (h *Handshake) readReply(msg []byte) ([]byte, error) {
	r, err := parseReply(msg)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(h.cfg.Versions, r.version) {
		return nil, fmt.Errorf("%w: peer chose version %d, not offered", ErrVersion, r.version)
	}
	h.version = r.version
	h.adb = adVersion(r.version)
	h.sid = append(h.nonce[:], r.nonce[:]...)
	g := calculateGenerator(h.cfg.Secret, h.ci, h.sid)
	ya, ok := scalarMultVfy(h.y, g[:])
	if !ok {
		return nil, fmt.Errorf("%w: own share", ErrInvalidPoint)
	}
	k, ok := scalarMultVfy(h.y, r.y[:])
	if !ok {
		return nil, ErrInvalidPoint
	}
	isk := computeISK(h.sid, k[:], ya[:], h.ada, r.y[:], h.adb)
	mk := macKey(h.sid, &isk)
	c := confirmA{y: ya, tag: confirmTag(&mk, ya[:], h.ada)}
	h.peerTag = confirmTag(&mk, r.y[:], h.adb)
	h.keys = deriveKeys(&isk, h.sid, Initiator, h.version)
	h.state = stateWaitConfirmB
	h.attempted = true
	return c.marshal(), nil
}

// readConfirmA is the responder's step 3: compute K and ISK, check Ta,
// answer with Tb; when Ta is wrong, answer with a tag that fails, so that
// both sides see ErrWrongCode.
func (h *Handshake) readConfirmA(msg []byte) ([]byte, error) {
	c, err := parseConfirmA(msg)
	if err != nil {
		return nil, err
	}
	k, ok := scalarMultVfy(h.y, c.y[:])
	if !ok {
		return nil, ErrInvalidPoint
	}
	yb := h.share
	isk := computeISK(h.sid, k[:], c.y[:], h.ada, yb[:], h.adb)
	mk := macKey(h.sid, &isk)
	ta := confirmTag(&mk, c.y[:], h.ada)
	h.attempted = true
	if !hmac.Equal(ta[:], c.tag[:]) {
		// Answer with a tag the initiator cannot accept: it then fails
		// too (ErrWrongCode), rather than finishing alone when only Ta
		// was changed on the way. It is a MAC under the same key with a
		// distinct label, so it tells the peer nothing the real Tb would
		// not.
		bad := confirmTag(&mk, yb[:], append(slices.Clone(h.adb), "abort"...))
		return marshalConfirmB(&bad), ErrWrongCode
	}
	tb := confirmTag(&mk, yb[:], h.adb)
	reply := marshalConfirmB(&tb)
	h.keys = deriveKeys(&isk, h.sid, Responder, h.version)
	return reply, nil
}

// readConfirmB is the initiator's last step: check Tb.
func (h *Handshake) readConfirmB(msg []byte) error {
	tb, err := parseConfirmB(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(tb[:], h.peerTag[:]) {
		h.keys = Keys{}
		return ErrWrongCode
	}
	return nil
}
