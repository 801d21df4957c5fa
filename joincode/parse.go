package joincode

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordRef says which list a word is in and which byte it encodes.
type wordRef struct {
	b   byte
	odd bool // in oddWords (positions 0, 2, ... of the words)
}

var (
	wordIndex = make(map[string]wordRef, 512)
	// sorted lists for Complete, by word position parity.
	sortedOdd, sortedEven []string
)

func init() {
	for i := range 256 {
		wordIndex[evenWords[i]] = wordRef{b: byte(i)}
		wordIndex[oddWords[i]] = wordRef{b: byte(i), odd: true}
	}
	sortedOdd = slices.Sorted(slices.Values(oddWords[:]))
	sortedEven = slices.Sorted(slices.Values(evenWords[:]))
}

// isSep reports whether r separates the parts of a typed code: dashes
// (also the typographic ones an editor or a chat puts in place of '-':
// every Unicode dash and the minus sign), underscores and white space
// are all accepted.
func isSep(r rune) bool {
	return r == '-' || r == '_' || unicode.IsSpace(r) || r == '\u2212' || (r >= 0x80 && unicode.Is(unicode.Pd, r))
}

// maxInput bounds what Parse looks at; no valid code comes close
// ("65535-" and four words of at most 11 letters).
const maxInput = 256

// Parse reads a code as a person typed it: case, white space, dashes (any
// Unicode dash) and underscores between the parts do not matter ("7-guitarist-revenge",
// " 7 Guitarist  Revenge ", "7_guitarist-revenge" are one code). A wrong
// code fails with a *CodeError (errors.Is(err, ErrBadCode)) that names
// the position of the first wrong part; a word from the wrong half of the
// list, the mark of a dropped or swapped word, is reported as such.
func Parse(s string) (Code, error) {
	if len(s) > maxInput {
		return Code{}, &CodeError{Pos: -1, Reason: "too long to be a code"}
	}
	parts := strings.FieldsFunc(strings.ToLower(s), isSep)
	if len(parts) == 0 {
		return Code{}, &CodeError{Pos: 0, Reason: "empty code"}
	}
	np, err := parseNameplate(parts[0])
	if err != nil {
		return Code{}, err
	}
	words := parts[1:]
	var c Code
	c.nameplate = np
	for i, w := range words {
		if i == MaxWords {
			return Code{}, &CodeError{Pos: i + 1, Word: w, Reason: "too many words"}
		}
		ref, ok := wordIndex[w]
		wantOdd := i%2 == 0
		switch {
		case !ok:
			return Code{}, &CodeError{Pos: i + 1, Word: w, Reason: "not a code word", Suggest: suggest(w, wantOdd)}
		case ref.odd != wantOdd:
			return Code{}, &CodeError{Pos: i + 1, Word: w, Reason: "word from the wrong list for this position: a word was dropped or two were swapped"}
		}
		c.b[i] = ref.b
		c.n++
	}
	if c.n < MinWords {
		return Code{}, &CodeError{Pos: c.n + 1, Reason: "missing word"}
	}
	return c, nil
}

func parseNameplate(s string) (int, error) {
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, &CodeError{Pos: 0, Word: s, Reason: "a code starts with its number"}
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxNameplate {
		return 0, &CodeError{Pos: 0, Word: s, Reason: "number out of range 1.." + strconv.Itoa(MaxNameplate)}
	}
	return n, nil
}

// Complete returns the words that fit at the position of the last,
// partly typed word of prefix and start with what was typed of it, in
// alphabetical order: Complete("7-gu") returns the first-position words
// starting with "gu", Complete("7-guitarist-") every word of the second
// position. It returns nil while the nameplate is being typed and past
// the last word a code can have. Case and separators are normalised as in
// Parse; the words already typed are not checked.
func Complete(prefix string) []string {
	if len(prefix) > maxInput {
		return nil
	}
	prefix = strings.ToLower(prefix)
	cut := strings.LastIndexFunc(prefix, isSep)
	if cut < 0 {
		return nil // still typing the nameplate
	}
	_, size := utf8.DecodeRuneInString(prefix[cut:])
	done := strings.FieldsFunc(prefix[:cut], isSep)
	partial := prefix[cut+size:]
	pos := len(done) - 1 // 0-based word position being typed
	if pos < 0 || pos >= MaxWords {
		return nil
	}
	list := sortedEven
	if pos%2 == 0 {
		list = sortedOdd
	}
	lo, _ := slices.BinarySearch(list, partial)
	hi := lo
	for hi < len(list) && strings.HasPrefix(list[hi], partial) {
		hi++
	}
	if lo == hi {
		return nil
	}
	return slices.Clone(list[lo:hi])
}

// suggest returns the word of the list for the position (odd or even)
// closest to w, if it is at most two edits away.
func suggest(w string, odd bool) string {
	if len(w) > 16 {
		return ""
	}
	list := &evenWords
	if odd {
		list = &oddWords
	}
	best, bestD := "", 3
	for _, c := range list {
		if d := editDistance(w, c, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes), or a value
// >= limit once it is certain to be at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	var rowBuf [2][32]int
	prev, cur := rowBuf[0][:len(b)+1], rowBuf[1][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
