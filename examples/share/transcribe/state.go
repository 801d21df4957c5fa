package transcribe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cablecar-go/cablecar/joincode"
)

// stateVersion is the version of the saved state's format.
const stateVersion = 1

// maxStateFile bounds what ParseState and LoadState read: the largest
// blob in base64, and room for the rest.
const maxStateFile = MaxBlobLimit/3*4 + 4 + 4096

// State is what an initiator needs to go on after a restart (wormhole-
// sync's serialize / from_serialized): the code, when it expires, the app
// id and the blob offered. It holds the whole code, secret words
// included: keep it private (SaveState writes it with mode 0600).
type State struct {
	AppID   string
	Code    joincode.Code
	Expires time.Time
	Blob    []byte
}

// stateJSON is the file's shape.
type stateJSON struct {
	V       int    `json:"v"`
	AppID   string `json:"app"`
	Code    string `json:"code"`
	Expires string `json:"expires"` // RFC 3339, UTC
	Blob    []byte `json:"blob"`    // base64
}

// Marshal returns the state as a small JSON document.
func (s *State) Marshal() []byte {
	b, _ := json.Marshal(stateJSON{ // a struct of strings and bytes: never fails
		V: stateVersion, AppID: s.AppID, Code: s.Code.Reveal(),
		Expires: s.Expires.UTC().Format(time.RFC3339Nano), Blob: s.Blob,
	})
	return append(b, '\n')
}

// ParseState parses what Marshal wrote. Any defect (not this format, an
// unknown version, a code that does not parse, a bad time, a blob over
// MaxBlobLimit) gives an error wrapping ErrBadState that says which.
func ParseState(b []byte) (*State, error) {
	if len(b) > maxStateFile {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrBadState, len(b), maxStateFile)
	}
	var j stateJSON
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadState, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the state", ErrBadState)
	}
	if j.V != stateVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrBadState, j.V, stateVersion)
	}
	if j.AppID == "" || len(j.AppID) > maxAppID {
		return nil, fmt.Errorf("%w: app id of %d bytes", ErrBadState, len(j.AppID))
	}
	code, err := joincode.Parse(j.Code)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadState, err)
	}
	exp, err := time.Parse(time.RFC3339Nano, j.Expires)
	if err != nil {
		return nil, fmt.Errorf("%w: expires: %v", ErrBadState, err)
	}
	if len(j.Blob) > MaxBlobLimit {
		return nil, fmt.Errorf("%w: %w", ErrBadState, &SizeError{Size: len(j.Blob), Limit: MaxBlobLimit})
	}
	if j.Blob == nil {
		j.Blob = []byte{}
	}
	return &State{AppID: j.AppID, Code: code, Expires: exp.UTC(), Blob: j.Blob}, nil
}

// SaveState writes s to path, readable by its owner only (mode 0600), and
// atomically: a new file in the same directory renamed over path, so a
// crash leaves the old state or the new one, never half of one.
func SaveState(path string, s *State) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(s.Marshal())
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("transcribe: save state: %w", err)
	}
	return nil
}

// LoadState reads a state SaveState wrote. It refuses a file that other
// users may read (ErrStatePerm): it holds the code. A missing file gives
// an error for which errors.Is(err, fs.ErrNotExist) holds.
func LoadState(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("transcribe: load state: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("transcribe: load state: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v", ErrStatePerm, path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxStateFile+1))
	if err != nil {
		return nil, fmt.Errorf("transcribe: load state: %w", err)
	}
	s, err := ParseState(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
