package secure

import (
	"crypto/hkdf"
	"crypto/sha512"
	"sync/atomic"

	"github.com/cablecar-go/cablecar/joincode"
)

// KeySize is the size of a record key (ChaCha20-Poly1305).
const KeySize = 32

// Keys are the outputs of a successful handshake, all derived from CPace's
// ISK with HKDF-SHA512 (salt: the session id made of both nonces; one
// label per output, each naming DraftVersion and Suite). Nothing else is
// derived from the shared secret, and K itself never leaves the
// handshake.
type Keys struct {
	// Send seals the records this side sends; Recv opens the peer's. The
	// initiator's Send is the responder's Recv and the other way round.
	// Each key must go to one Sealer (one Opener) only: use the Sealer
	// and Opener methods, which refuse a second one, rather than
	// NewSealer and NewOpener.
	Send, Recv [KeySize]byte
	// Version is the protocol version the two sides agreed on.
	Version uint16

	sas [2]byte
	// use is shared by every copy of the Keys of one handshake, so that
	// Sealer and Opener hand out one of each (nil: Keys made by hand).
	use *keyUse
}

type keyUse struct{ sealer, opener atomic.Bool }

// SAS returns the short authentication string: two words from the join
// code word list that both sides show and their users may compare (read
// aloud) to be sure that no one sat in the middle. Equal on both sides of
// one session, different for every session. It is "" for Keys that are
// not from a finished handshake (the zero Keys).
func (k *Keys) SAS() string {
	if k.use == nil {
		return ""
	}
	return joincode.WordAt(0, k.sas[0]) + "-" + joincode.WordAt(1, k.sas[1])
}

const labelPrefix = "cablecar/secure " + DraftVersion + " " + Suite + " "

func deriveKeys(isk *[iskSize]byte, sid []byte, role Role, version uint16) Keys {
	prk, err := hkdf.Extract(sha512.New, isk[:], sid)
	if err != nil {
		panic("secure: hkdf: " + err.Error()) // unreachable: fixed sizes
	}
	expand := func(label string, n int) []byte {
		b, err := hkdf.Expand(sha512.New, prk, labelPrefix+label, n)
		if err != nil {
			panic("secure: hkdf: " + err.Error()) // unreachable: fixed sizes
		}
		return b
	}
	k := Keys{Version: version, use: new(keyUse)}
	ir, ri := expand("initiator->responder", KeySize), expand("responder->initiator", KeySize)
	if role == Initiator {
		copy(k.Send[:], ir)
		copy(k.Recv[:], ri)
	} else {
		copy(k.Send[:], ri)
		copy(k.Recv[:], ir)
	}
	copy(k.sas[:], expand("sas", 2))
	return k
}
