package joincode

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBadCode is the error every malformed code unwraps to; the error
// itself is a *CodeError that says which part is wrong.
var ErrBadCode = errors.New("joincode: bad code")

// ErrNoFreeNameplate is returned by LowestFree when every nameplate is in
// use.
var ErrNoFreeNameplate = errors.New("joincode: no free nameplate")

// CodeError describes what is wrong with a code. It unwraps to ErrBadCode.
type CodeError struct {
	// Pos is the position of the wrong part: 0 the nameplate, 1 the first
	// word, 2 the second and so on; -1 when the error is not about one
	// position (a bad word count given to Generate or New).
	Pos int
	// Word is the offending text as typed (normalised to lower case),
	// empty when a word is missing.
	Word string
	// Reason says what is wrong, for a person.
	Reason string
	// Suggest is a word that would fit at Pos and is close to Word (one
	// or two letters off), or empty.
	Suggest string
}

func (e *CodeError) Error() string {
	s := "joincode: bad code"
	switch {
	case e.Pos == 0:
		s += ": nameplate"
	case e.Pos > 0:
		s += ": word " + strconv.Itoa(e.Pos)
	}
	if e.Word != "" {
		s += fmt.Sprintf(" %q", e.Word)
	}
	s += ": " + e.Reason
	if e.Suggest != "" {
		s += fmt.Sprintf(" (did you mean %q?)", e.Suggest)
	}
	return s
}

// Unwrap returns ErrBadCode.
func (e *CodeError) Unwrap() error { return ErrBadCode }
