package joincode

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
)

// Word counts a code may have. The default, two words, is 16 bits of
// secret; with the one-guess-per-invitation rule of the host that is a
// 1 in 65536 chance per invitation for an attacker.
const (
	DefaultWords = 2
	MinWords     = 2
	MaxWords     = 4
)

// MaxNameplate is the largest nameplate a code may carry. Nameplates start
// at 1; 0 means "no nameplate".
const MaxNameplate = 65535

// Code is a join code: a public nameplate and a secret of MinWords to
// MaxWords words from the PGP word list.
//
// Only the nameplate may ever leave the machine: beacons, mDNS records and
// logs carry Nameplate, never a word, never any hash of the words (the
// secret is 16 to 32 bits, so a hash of it is a lookup table away from the
// words). The words travel only from one person to another (read aloud,
// typed) and into the PAKE as its password (Secret).
//
// The zero Code is invalid; make one with Generate, New or Parse.
type Code struct {
	nameplate int
	n         int // number of words
	b         [MaxWords]byte
}

// Generate returns a new code for nameplate with words random words
// (crypto/rand); words 0 means DefaultWords. It fails with ErrBadCode when
// nameplate is not in 1..MaxNameplate or words not in MinWords..MaxWords.
func Generate(nameplate, words int) (Code, error) {
	if words == 0 {
		words = DefaultWords
	}
	if words < MinWords || words > MaxWords {
		return Code{}, &CodeError{Pos: -1, Reason: fmt.Sprintf("%d words, want %d to %d", words, MinWords, MaxWords)}
	}
	var b [MaxWords]byte
	rand.Read(b[:words]) // never fails (crypto/rand, Go 1.24+)
	return New(nameplate, b[:words])
}

// New returns the code for nameplate whose words encode secret, one byte
// per word. It is Generate without the randomness, for tests and for
// codes derived elsewhere.
func New(nameplate int, secret []byte) (Code, error) {
	if nameplate < 1 || nameplate > MaxNameplate {
		return Code{}, &CodeError{Pos: 0, Word: strconv.Itoa(nameplate), Reason: fmt.Sprintf("nameplate out of range 1..%d", MaxNameplate)}
	}
	if len(secret) < MinWords || len(secret) > MaxWords {
		return Code{}, &CodeError{Pos: -1, Reason: fmt.Sprintf("%d words, want %d to %d", len(secret), MinWords, MaxWords)}
	}
	c := Code{nameplate: nameplate, n: len(secret)}
	copy(c.b[:], secret)
	return c, nil
}

// Nameplate returns the public part of the code: the number the host
// advertises in its beacons so that a joiner finds it. It is the only part
// of a code that may be sent over the network.
func (c Code) Nameplate() int { return c.nameplate }

// Len returns the number of words.
func (c Code) Len() int { return c.n }

// Words returns the secret words, lower case, in order.
func (c Code) Words() []string {
	w := make([]string, c.n)
	for i := range w {
		w[i] = WordAt(i, c.b[i])
	}
	return w
}

// Secret returns the secret part of the code, the words joined by dashes
// ("guitarist-revenge"): the password for the PAKE. It must never be sent,
// logged or hashed into anything that is.
func (c Code) Secret() string { return strings.Join(c.Words(), "-") }

// Reveal returns the whole code as a person reads and types it,
// "7-guitarist-revenge". It contains the secret: show it to the user, do
// not send or log it.
func (c Code) Reveal() string {
	if c.n == 0 {
		return "<invalid code>"
	}
	return strconv.Itoa(c.nameplate) + "-" + c.Secret()
}

// String returns the code with its words hidden, "7-…-…", so that a code
// that reaches a log line (fmt's %v and %s, slog) does not leak the
// secret. Reveal returns the whole code.
func (c Code) String() string {
	if c.n == 0 {
		return "<invalid code>"
	}
	return strconv.Itoa(c.nameplate) + strings.Repeat("-…", c.n)
}

// GoString is String, for fmt's %#v.
func (c Code) GoString() string { return "joincode.Code(" + c.String() + ")" }

// WordAt returns the word that encodes byte b at position pos (0-based) of
// a code. As in magic-wormhole, position 0 takes the three-syllable "odd"
// list and the positions then alternate, so a dropped or swapped word
// shows up as a word from the wrong list. The short authentication string
// of package secure uses the same words.
func WordAt(pos int, b byte) string {
	if pos%2 == 0 {
		return oddWords[b]
	}
	return evenWords[b]
}

// LowestFree returns the lowest nameplate in 1..MaxNameplate that is not
// in inUse (the nameplates heard in the beacons of the app id). Values out
// of range in inUse are ignored. It fails with ErrNoFreeNameplate when all
// are taken.
func LowestFree(inUse []int) (int, error) {
	// The answer is at most len(inUse)+1, so a table of that size is enough.
	limit := min(len(inUse)+1, MaxNameplate)
	taken := make([]bool, limit+1)
	for _, n := range inUse {
		if n >= 1 && n <= limit {
			taken[n] = true
		}
	}
	for n := 1; n <= limit; n++ {
		if !taken[n] {
			return n, nil
		}
	}
	return 0, ErrNoFreeNameplate
}
