package transcribe

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/joincode"
)

func testState(t *testing.T) *State {
	t.Helper()
	code, err := joincode.Parse("7-guitarist-revenge")
	if err != nil {
		t.Fatal(err)
	}
	return &State{AppID: "x", Code: code, Expires: time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC), Blob: []byte("hi\x00there")}
}

func TestStateRoundTrip(t *testing.T) {
	s := testState(t)
	got, err := ParseState(s.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.AppID != s.AppID || got.Code.Reveal() != s.Code.Reveal() || !got.Expires.Equal(s.Expires) || !bytes.Equal(got.Blob, s.Blob) {
		t.Fatalf("got %+v, want %+v", got, s)
	}
}

func TestSaveLoadState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	if _, err := LoadState(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v, want fs.ErrNotExist", err)
	}
	s := testState(t)
	if err := SaveState(path, s); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code.Reveal() != s.Code.Reveal() {
		t.Fatalf("code %s", got.Code.Reveal())
	}
	// Overwriting keeps it private and leaves no temporary file.
	s.Blob = []byte("new")
	if err := SaveState(path, s); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("%d files in the directory, want 1", len(ents))
	}
	if got, err := LoadState(path); err != nil || string(got.Blob) != "new" {
		t.Fatalf("%v %v", got, err)
	}
	// A file others can read is refused.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(path); !errors.Is(err, ErrStatePerm) {
		t.Fatalf("mode 0644: %v, want ErrStatePerm", err)
	}
}

func TestParseStateBad(t *testing.T) {
	good := string(testState(t).Marshal())
	for name, c := range map[string]struct{ text, want string }{
		"empty":       {"", "EOF"},
		"not json":    {"hello", "invalid"},
		"version":     {strings.Replace(good, `"v":1`, `"v":2`, 1), "version 2"},
		"no app":      {strings.Replace(good, `"app":"x"`, `"app":""`, 1), "app id"},
		"bad code":    {strings.Replace(good, "revenge", "revenue", 1), "joincode"},
		"bad time":    {strings.Replace(good, "2030-01-02", "2030-13-02", 1), "expires"},
		"unknown key": {strings.Replace(good, `"v":1`, `"v":1,"w":2`, 1), "unknown field"},
		"trailing":    {good + "{}", "after"},
		"bad blob":    {strings.Replace(good, `"blob":"`, `"blob":"!`, 1), "illegal"},
	} {
		_, err := ParseState([]byte(c.text))
		if !errors.Is(err, ErrBadState) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrBadState saying %q", name, err, c.want)
		}
	}
	big := bytes.Repeat([]byte(" "), maxStateFile+1)
	if _, err := ParseState(big); !errors.Is(err, ErrBadState) {
		t.Errorf("too long: %v", err)
	}
}

// FuzzParseState: ParseState never panics, and what it accepts marshals
// to a state that parses to the same.
func FuzzParseState(f *testing.F) {
	s := &State{AppID: "a", Expires: time.Unix(1e9, 0).UTC(), Blob: []byte("blob")}
	s.Code, _ = joincode.Parse("1-adroitness-adult")
	f.Add(s.Marshal())
	f.Add([]byte(`{"v":1,"app":"a","code":"12-aardvark-absurd-accrue-acme","expires":"2026-01-01T00:00:00Z","blob":null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseState(b)
		if err != nil {
			if !errors.Is(err, ErrBadState) {
				t.Fatalf("error %v is not ErrBadState", err)
			}
			return
		}
		again, err := ParseState(st.Marshal())
		if err != nil {
			t.Fatalf("%q parsed, its Marshal does not: %v", b, err)
		}
		if again.Code.Reveal() != st.Code.Reveal() || !again.Expires.Equal(st.Expires) || !bytes.Equal(again.Blob, st.Blob) || again.AppID != st.AppID {
			t.Fatalf("round trip changed %+v to %+v", st, again)
		}
	})
}
