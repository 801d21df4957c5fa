package jsonwire

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of arrays and objects on decode and of
// values on encode, so that a hostile line or a cyclic value cannot exhaust
// the stack.
const maxJSONDepth = 1000

// jsonErr is a decode failure inside a line: the offset and the error, which
// wraps a sentinel (ErrMalformed, or ErrBadPayload from an Unmarshaler).
type jsonErr struct {
	off int
	err error
}

func (e *jsonErr) Error() string { return fmt.Sprintf("offset %d: %v", e.off, e.err) }

func malformedAt(off int, format string, args ...any) error {
	return &jsonErr{off: off, err: fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)}
}

func unexpected(data []byte, i int, want string) error {
	if i >= len(data) {
		return malformedAt(i, "unexpected end of line, want %s", want)
	}
	return malformedAt(i, "unexpected %q, want %s", data[i], want)
}

var errTooDeep = errors.New("nesting deeper than 1000")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && data[i] <= ' ' && isSpace(data[i]) {
		i++
	}
	return i
}

// expectLiteral checks that data[i:] starts with lit.
func expectLiteral(data []byte, i int, lit string) (int, error) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return i, malformedAt(i, "invalid literal, want %s", lit)
	}
	return i + len(lit), nil
}

// stringStop[c] is true for the bytes scanString must look at: the closing
// quote, a backslash, control characters and the bytes of non-ASCII
// characters (checked as UTF-8).
var stringStop = func() (t [256]bool) {
	for i := range t {
		t[i] = i < 0x20 || i == '"' || i == '\\' || i >= utf8.RuneSelf
	}
	return t
}()

// scanString scans the JSON string at data[i] (which must be '"'). It
// returns its raw contents (between the quotes), whether it holds escapes,
// and the offset after the closing quote. Raw control characters are
// refused, as Python's json.loads does, and so is invalid UTF-8: the
// decoder checks a line's UTF-8 only in its strings, where alone a byte
// above 0x7f can stand in valid JSON (the caller reports invalid UTF-8
// with its offset in the line; see JSONCodec.decodeLine).
func scanString(data []byte, i int) (raw []byte, escaped bool, next int, err error) {
	if i >= len(data) || data[i] != '"' {
		return nil, false, i, unexpected(data, i, "a string")
	}
	start := i + 1
	for j := start; j < len(data); j++ {
		c := data[j]
		if !stringStop[c] {
			continue
		}
		switch {
		case c == '"':
			return data[start:j], escaped, j + 1, nil
		case c == '\\':
			escaped = true
			j++
			if j >= len(data) {
				break
			}
			switch data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(data)-j < 5 || !isHex4(data[j+1:j+5]) {
					return nil, false, j, malformedAt(j, "bad \\u escape")
				}
				j += 4
			default:
				return nil, false, j, malformedAt(j, "bad escape \\%c", data[j])
			}
		case c < 0x20:
			return nil, false, j, malformedAt(j, "control character %#x in string", c)
		default: // the first byte of a non-ASCII character
			r, size := utf8.DecodeRune(data[j:])
			if r == utf8.RuneError && size == 1 {
				return nil, false, j, errInvalidUTF8(j)
			}
			j += size - 1
		}
	}
	return nil, false, len(data), malformedAt(len(data), "unterminated string")
}

// errInvalidUTF8 is the error of a line whose first invalid UTF-8 byte is
// at off.
func errInvalidUTF8(off int) error {
	return &jsonErr{off: off, err: fmt.Errorf("%w: invalid UTF-8", ErrMalformed)}
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if hexValue(c) < 0 {
			return false
		}
	}
	return true
}

func hexValue(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func hex4(b []byte) rune {
	return hexValue(b[0])<<12 | hexValue(b[1])<<8 | hexValue(b[2])<<4 | hexValue(b[3])
}

// unescape appends the value of raw (string contents already checked by
// scanString) to dst. A lone surrogate becomes U+FFFD, as in encoding/json.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := i + 1
			for j < len(raw) && raw[j] != '\\' {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i+1:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if len(raw)-i >= 7 && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2 = utf16.DecodeRune(r, hex4(raw[i+3:]))
				}
				if r2 != utf8.RuneError {
					r = r2
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, raw[i])
		}
		i++
	}
	return dst
}

// scanNumber scans the JSON number at data[i], or one of Python's NaN,
// Infinity, -Infinity. isInt is true for a plain integer (no fraction, no
// exponent).
func scanNumber(data []byte, i int) (tok []byte, isInt bool, next int, err error) {
	start := i
	if i < len(data) && data[i] == '-' {
		i++
	}
	if i < len(data) && (data[i] == 'I' || data[i] == 'N') {
		lit := "Infinity"
		if data[i] == 'N' {
			if i > start { // no -NaN in Python
				return nil, false, i, malformedAt(i, "invalid number")
			}
			lit = "NaN"
		}
		next, err := expectLiteral(data, i, lit)
		return data[start:next], false, next, err
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	default:
		return nil, false, i, unexpected(data, i, "a digit")
	}
	isInt = true
	if i < len(data) && data[i] == '.' {
		isInt = false
		i++
		d := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false, i, unexpected(data, i, "a digit")
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		isInt = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		d := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false, i, unexpected(data, i, "a digit")
		}
	}
	return data[start:i], isInt, i, nil
}

// openContainer starts on the array or object at data[i] (its '[' or '{'),
// which closes with end: it checks the nesting depth and moves to the first
// member, or past end when the container is empty (done).
func openContainer(data []byte, i, depth int, end byte) (next int, done bool, err error) {
	if depth >= maxJSONDepth {
		return i, false, tooDeepAt(i)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == end {
		return i + 1, true, nil
	}
	return i, false, nil
}

// nextMember moves from the end of a member's value to the start of the
// next member, or past end when the container closes there (done).
func nextMember(data []byte, i int, end byte) (next int, done bool, err error) {
	i = skipSpace(data, i)
	if i < len(data) && data[i] == end {
		return i + 1, true, nil
	}
	if i >= len(data) || data[i] != ',' {
		return i, false, noSeparator(data, i, end)
	}
	return skipSpace(data, i+1), false, nil
}

// tooDeepAt and noSeparator are the errors of openContainer and
// nextMember, out of line so that those two inline.
func tooDeepAt(i int) error {
	return &jsonErr{off: i, err: fmt.Errorf("%w: %w", ErrMalformed, errTooDeep)}
}

func noSeparator(data []byte, i int, end byte) error {
	return unexpected(data, i, fmt.Sprintf("',' or %q", end))
}

// afterColon moves from the end of an object key past its ':' to the value.
func afterColon(data []byte, i int) (int, error) {
	i = skipSpace(data, i)
	if i >= len(data) || data[i] != ':' {
		return i, unexpected(data, i, "':'")
	}
	return skipSpace(data, i+1), nil
}

// skipValue checks the JSON value at data[i] and returns the offset after it.
func skipValue(data []byte, i, depth int) (int, error) {
	if i >= len(data) {
		return i, unexpected(data, i, "a value")
	}
	switch c := data[i]; c {
	case '"':
		_, _, next, err := scanString(data, i)
		return next, err
	case '{', '[':
		end := byte(']')
		if c == '{' {
			end = '}'
		}
		var done bool
		var err error
		i, done, err = openContainer(data, i, depth, end)
		for !done && err == nil {
			if c == '{' {
				if _, _, i, err = scanString(data, i); err != nil {
					return i, err
				}
				if i, err = afterColon(data, i); err != nil {
					return i, err
				}
			}
			if i, err = skipValue(data, i, depth+1); err != nil {
				return i, err
			}
			i, done, err = nextMember(data, i, end)
		}
		return i, err
	case 't':
		return expectLiteral(data, i, "true")
	case 'f':
		return expectLiteral(data, i, "false")
	case 'n':
		return expectLiteral(data, i, "null")
	default:
		_, _, next, err := scanNumber(data, i)
		return next, err
	}
}
