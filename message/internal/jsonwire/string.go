package jsonwire

import (
	"unicode/utf16"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// needsEscape[b] is true for the bytes Python's json.dumps (ensure_ascii)
// does not write as they are: control characters, '"', '\\', DEL and every
// byte of a non-ASCII character.
var needsEscape = func() (t [256]bool) {
	for i := range t {
		t[i] = i < 0x20 || i == '"' || i == '\\' || i >= 0x7f
	}
	return t
}()

// appendPyString appends s as a JSON string the way Python's json.dumps
// writes it with ensure_ascii=True: \" \\ \n \r \t \b \f as short escapes,
// other characters outside ' '..'~' as \uXXXX (lower-case hex), characters
// above U+FFFF as a surrogate pair. '<', '>' and '&' are not escaped.
// Invalid UTF-8 is written as \ufffd, as encoding/json does.
func appendPyString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if !needsEscape[c] {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			if c < utf8.RuneSelf {
				dst = appendU(dst, rune(c))
				i++
				start = i
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			dst = appendURune(dst, r)
			i += size
			start = i
			continue
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendURune appends r as \uXXXX, or as a \uXXXX\uXXXX surrogate pair
// above U+FFFF, as Python's ensure_ascii does.
func appendURune(dst []byte, r rune) []byte {
	if r >= 0x10000 {
		r1, r2 := utf16.EncodeRune(r)
		return appendU(appendU(dst, r1), r2)
	}
	return appendU(dst, r)
}

// appendU appends the 16-bit code unit r as \uXXXX (lower-case hex).
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}
