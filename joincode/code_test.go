package joincode

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestWordList(t *testing.T) {
	// Spot checks against the published list (magic-wormhole's table).
	for _, c := range []struct {
		b         byte
		even, odd string
	}{
		{0x00, "aardvark", "adroitness"},
		{0x69, "gazelle", "guitarist"},
		{0xa9, "revenge", "passenger"},
		{0xff, "zulu", "yucatan"},
	} {
		if evenWords[c.b] != c.even || oddWords[c.b] != c.odd {
			t.Errorf("byte %#x: got %q/%q, want %q/%q", c.b, evenWords[c.b], oddWords[c.b], c.even, c.odd)
		}
	}
	seen := map[string]bool{}
	for i := range 256 {
		for _, w := range []string{evenWords[i], oddWords[i]} {
			if seen[w] || w != strings.ToLower(w) || w == "" {
				t.Fatalf("word %q repeated, empty or not lower case", w)
			}
			seen[w] = true
		}
	}
}

func TestNewString(t *testing.T) {
	c, err := New(7, []byte{0x69, 0xa9})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Reveal(); got != "7-guitarist-revenge" {
		t.Fatalf("String = %q", got)
	}
	if c.Nameplate() != 7 || c.Secret() != "guitarist-revenge" || c.Len() != 2 {
		t.Fatalf("parts: %d %q %d", c.Nameplate(), c.Secret(), c.Len())
	}
	if strings.Contains(c.Secret(), "7") {
		t.Fatal("secret contains the nameplate")
	}
	c4, err := New(12, []byte{0, 0, 0xff, 0xff})
	if err != nil {
		t.Fatal(err)
	}
	if got := c4.Reveal(); got != "12-adroitness-aardvark-yucatan-zulu" {
		t.Fatalf("String = %q", got)
	}
}

func TestNewErrors(t *testing.T) {
	for _, c := range []struct {
		np     int
		secret []byte
		pos    int
	}{
		{0, []byte{1, 2}, 0},
		{MaxNameplate + 1, []byte{1, 2}, 0},
		{-3, []byte{1, 2}, 0},
		{1, []byte{1}, -1},
		{1, []byte{1, 2, 3, 4, 5}, -1},
	} {
		_, err := New(c.np, c.secret)
		var ce *CodeError
		if !errors.Is(err, ErrBadCode) || !errors.As(err, &ce) || ce.Pos != c.pos {
			t.Errorf("New(%d, %v) = %v, want ErrBadCode at %d", c.np, c.secret, err, c.pos)
		}
	}
	var zero Code
	if zero.String() != "<invalid code>" {
		t.Errorf("zero Code String = %q", zero.String())
	}
}

func TestGenerate(t *testing.T) {
	for _, words := range []int{0, 2, 3, 4} {
		c, err := Generate(3, words)
		if err != nil {
			t.Fatal(err)
		}
		want := words
		if want == 0 {
			want = DefaultWords
		}
		if c.Len() != want || c.Nameplate() != 3 {
			t.Fatalf("Generate(3, %d) = %v", words, c)
		}
		back, err := Parse(c.Reveal())
		if err != nil || back != c {
			t.Fatalf("Parse(%q) = %v, %v", c, back, err)
		}
	}
	for _, words := range []int{1, 5, -1} {
		if _, err := Generate(3, words); !errors.Is(err, ErrBadCode) {
			t.Errorf("Generate(3, %d): %v, want ErrBadCode", words, err)
		}
	}
	// Randomness: 64 codes of 4 words (32 bits) are all different.
	seen := map[Code]bool{}
	for range 64 {
		c, _ := Generate(1, 4)
		if seen[c] {
			t.Fatalf("code %v generated twice", c)
		}
		seen[c] = true
	}
}

func TestParse(t *testing.T) {
	want, _ := New(7, []byte{0x69, 0xa9})
	for _, s := range []string{
		"7-guitarist-revenge",
		"7 guitarist revenge",
		"  7 -- Guitarist   REVENGE\n",
		"7_guitarist-revenge",
		"007-guitarist-revenge",
		"7\tguitarist\u00a0revenge",
	} {
		got, err := Parse(s)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", maxInput+1)
	for _, c := range []struct {
		in      string
		pos     int
		word    string
		reason  string
		suggest string
	}{
		{"", 0, "", "empty", ""},
		{"  - ", 0, "", "empty", ""},
		{"guitarist-revenge", 0, "guitarist", "starts with its number", ""},
		{"0-guitarist-revenge", 0, "0", "out of range", ""},
		{"65536-guitarist-revenge", 0, "65536", "out of range", ""},
		{"99999999999999999999999-guitarist-revenge", 0, "99999999999999999999999", "out of range", ""},
		{"7x-guitarist-revenge", 0, "7x", "starts with its number", ""},
		{"7", 1, "", "missing word", ""},
		{"7-guitarist", 2, "", "missing word", ""},
		{"7-revenge-guitarist", 1, "revenge", "dropped or two were swapped", ""}, // swapped
		{"7-revenge", 1, "revenge", "dropped", ""},                               // first word dropped
		{"7-guitarist-revenge-guitarist-revenge-zulu", 5, "zulu", "too many", ""},
		{"7-guitarist-guitarist", 2, "guitarist", "wrong list", ""},
		{"7-gitarist-revenge", 1, "gitarist", "not a code word", "guitarist"},
		{"7-guitarist-revnge", 2, "revnge", "not a code word", "revenge"},
		{"7-guitarist-xyzzy", 2, "xyzzy", "not a code word", ""},
		{long, -1, "", "too long", ""},
	} {
		_, err := Parse(c.in)
		var ce *CodeError
		if !errors.Is(err, ErrBadCode) || !errors.As(err, &ce) {
			t.Errorf("Parse(%q) = %v, want a *CodeError", c.in, err)
			continue
		}
		if ce.Pos != c.pos || ce.Word != c.word || !strings.Contains(ce.Reason, c.reason) || ce.Suggest != c.suggest {
			t.Errorf("Parse(%q) = %+v, want pos %d word %q reason ~%q suggest %q", c.in, ce, c.pos, c.word, c.reason, c.suggest)
		}
		if !strings.HasPrefix(err.Error(), "joincode: bad code") {
			t.Errorf("message %q", err)
		}
	}
}

func TestComplete(t *testing.T) {
	for _, c := range []struct {
		prefix string
		want   []string
	}{
		{"7", nil},
		{"", nil},
		{"7-guit", []string{"guitarist"}},
		{"7-Guit", []string{"guitarist"}},
		{"7 gui", []string{"guitarist"}},
		{"7-guitarist-reve", []string{"revenge", "revenue"}[:1]}, // revenue is an odd word
		{"7-guitarist-rev", []string{"revenge"}},
		{"7-rev", []string{"revenue", "revival", "revolver"}},
		{"7-guitarist-revenge-", nil}, // filled below: all odd words
		{"7-a-b-c-d-", nil},
		{"7-a-b-c-zu", []string{"zulu"}},  // fourth word: the even list
		{"7-a-b-c-d-zu", nil},             // no fifth word
		{"7-a-b-yu", []string{"yucatan"}}, // third word: the odd list
		{"7-a-b-zu", nil},
		{"7-qqq", nil},
	} {
		got := Complete(c.prefix)
		want := c.want
		if c.prefix == "7-guitarist-revenge-" {
			want = sortedOdd
		}
		if !slices.Equal(got, want) {
			t.Errorf("Complete(%q) = %v, want %v", c.prefix, got, want)
		}
	}
	if got := Complete("7-"); len(got) != 256 || !slices.IsSorted(got) || !slices.Contains(got, "guitarist") {
		t.Errorf("Complete(7-) = %d words", len(got))
	}
	if got := Complete("7-guitarist-"); len(got) != 256 || !slices.Contains(got, "revenge") {
		t.Errorf("Complete(7-guitarist-) = %d words", len(got))
	}
	// The result is a copy: changing it does not change later answers.
	got := Complete("7-guit")
	got[0] = "x"
	if Complete("7-guit")[0] != "guitarist" {
		t.Fatal("Complete returned shared storage")
	}
}

func TestLowestFree(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want int
	}{
		{nil, 1},
		{[]int{1}, 2},
		{[]int{2, 3}, 1},
		{[]int{1, 2, 3}, 4},
		{[]int{3, 1, 1, 2, 5}, 4},
		{[]int{0, -1, MaxNameplate + 1, 1}, 2},
	} {
		got, err := LowestFree(c.in)
		if err != nil || got != c.want {
			t.Errorf("LowestFree(%v) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	all := make([]int, MaxNameplate)
	for i := range all {
		all[i] = i + 1
	}
	if _, err := LowestFree(all); !errors.Is(err, ErrNoFreeNameplate) {
		t.Fatalf("all taken: %v", err)
	}
	all[100] = 0
	if got, err := LowestFree(all); err != nil || got != 101 {
		t.Fatalf("one free: %d, %v", got, err)
	}
}

func TestWordAtParity(t *testing.T) {
	for b := range 256 {
		if WordAt(0, byte(b)) != oddWords[b] || WordAt(1, byte(b)) != evenWords[b] || WordAt(2, byte(b)) != oddWords[b] {
			t.Fatal("WordAt parity")
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"7-guitarist-revenge", "7 Guitarist REVENGE", "1-adroitness-aardvark-yucatan-zulu",
		"", "-", "7", "7-", "7-revenge-guitarist", "65535-yucatan-zulu-yucatan", "0-a-b",
		"7-gitarist-revenge", "\xff\xfe-guitarist", "7-guitarist-revenge-guitarist-revenge-guitarist",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		_ = Complete(s)
		if err != nil {
			if !errors.Is(err, ErrBadCode) {
				t.Fatalf("error %v is not ErrBadCode", err)
			}
			return
		}
		// A parsed code round-trips through its canonical form.
		back, err := Parse(c.Reveal())
		if err != nil || back != c {
			t.Fatalf("Parse(%q) = %v; Parse(String) = %v, %v", s, c, back, err)
		}
		if c.Len() < MinWords || c.Len() > MaxWords || c.Nameplate() < 1 || c.Nameplate() > MaxNameplate {
			t.Fatalf("out of range code %v", c)
		}
	})
}

// TestParseUnicodeDashes: a code pasted from a chat or a document often
// has its dashes turned into typographic ones (en dash, em dash, minus
// sign, non-breaking hyphen); they separate the parts too.
func TestParseUnicodeDashes(t *testing.T) {
	want, _ := New(7, []byte{0x69, 0xa9})
	for _, s := range []string{
		"7\u2013guitarist\u2013revenge", // en dash
		"7\u2014guitarist\u2014revenge", // em dash
		"7\u2212guitarist\u2212revenge", // minus sign
		"7\u2011guitarist\u2010revenge", // non-breaking hyphen, hyphen
		"7 \u2013 guitarist-revenge",
	} {
		got, err := Parse(s)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got := Complete("7\u2013guit"); !slices.Equal(got, []string{"guitarist"}) {
		t.Errorf("Complete(en dash) = %v", got)
	}
}

func TestStringHidesTheWords(t *testing.T) {
	c, err := New(7, []byte{0x64, 0xbb})
	if err != nil {
		t.Fatal(err)
	}
	full := c.Reveal()
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %s %#v %+v", c, c, c, c), fmt.Sprintf("%q %x", c, c)} {
		for _, w := range c.Words() {
			if strings.Contains(s, w) {
				t.Errorf("formatted code %q contains the secret word %q (full code %q)", s, w, full)
			}
		}
	}
	if got := c.String(); got != "7-…-…" {
		t.Errorf("String = %q, want 7-…-…", got)
	}
}
