// Package codectest holds the checks that the tests of package message and
// of message/msgpack run on every codec: the Decode contract on arbitrary
// input (for the fuzz targets), re-encoding, split frames, contained
// panics, and the golden files in testdata. The test types stay in each
// package's tests (their names are part of what the tests check), but for
// the few that several packages share, in internal/testtypes.
package codectest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// ReadGolden reads testdata/<name>: lines "<label> <value>", '#' comments.
func ReadGolden(t testing.TB, name string) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]string)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		label, value, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: bad line %q", name, line)
		}
		out[label] = value
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// MustHex decodes the hex string s.
func MustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// AddGoldenSeeds adds the values of testdata/<name> to f's seed corpus:
// hex-decoded when hexValues, else as text with suffix appended.
func AddGoldenSeeds(f *testing.F, name string, hexValues bool, suffix string) {
	for _, v := range ReadGolden(f, name) {
		if hexValues {
			f.Add(MustHex(f, v))
		} else {
			f.Add([]byte(v + suffix))
		}
	}
}

// DecodeStream decodes buf to its end the way a Messenger does and checks
// the Decode contract on every step. It returns the messages decoded.
func DecodeStream(t *testing.T, c message.Codec, buf []byte) []message.Message {
	var out []message.Message
	for len(buf) > 0 {
		m, n, err := c.Decode(buf)
		if n < 0 || n > len(buf) {
			t.Fatalf("n = %d for %d bytes", n, len(buf))
		}
		if err != nil {
			var de *message.DecodeError
			if m != nil || !errors.As(err, &de) || de.Skip != n || de.Codec != c.Name() {
				t.Fatalf("error result (%v, %d, %v) breaks the contract", m, n, err)
			}
			if !errors.Is(err, message.ErrUnknownType) && !errors.Is(err, message.ErrBadLength) && !errors.Is(err, message.ErrBadPayload) &&
				!errors.Is(err, message.ErrMalformed) && !errors.Is(err, message.ErrTooLarge) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if n == 0 {
				return out // stream unusable
			}
			buf = buf[n:]
			continue
		}
		if n == 0 {
			if m != nil {
				t.Fatalf("need-more with a message %v", m)
			}
			return out
		}
		if m == nil {
			t.Fatalf("n = %d without a message or an error", n)
		}
		out = append(out, m)
		buf = buf[n:]
	}
	return out
}

// CheckReencode checks that a decoded message encodes, and that its frame
// decodes to a message that encodes to the same frame. It returns the
// frame (nil when the message is too large to encode).
func CheckReencode(t *testing.T, c message.Codec, m message.Message) []byte {
	frame, err := c.AppendFrame(nil, m)
	if errors.Is(err, message.ErrTooLarge) {
		return nil // e.g. JSON escapes made the line longer than MaxFrame
	}
	if err != nil {
		t.Fatalf("re-encoding decoded %#v: %v", m, err)
	}
	m2, n, err := c.Decode(frame)
	if err != nil || n != len(frame) {
		t.Fatalf("decoding re-encoded %q: (%v, %d, %v)", frame, m2, n, err)
	}
	again, err := c.AppendFrame(nil, m2)
	if err != nil || !bytes.Equal(again, frame) {
		t.Fatalf("encode(decode(encode(m))) changed:\n%q\n%q (err %v)", frame, again, err)
	}
	return frame
}

// CheckSplits feeds frame to c one prefix at a time: every proper prefix
// must say "need more bytes", the whole frame must decode to want
// (reflect.DeepEqual).
func CheckSplits(t *testing.T, c message.Codec, frame []byte, want message.Message) {
	t.Helper()
	for i := 0; i < len(frame); i++ {
		// a fresh, exact-capacity copy: a read past the prefix is caught by the race/bounds checks
		prefix := append([]byte(nil), frame[:i]...)
		m, n, err := c.Decode(prefix)
		if m != nil || n != 0 || err != nil {
			t.Fatalf("prefix of %d/%d bytes: got (%v, %d, %v), want need-more", i, len(frame), m, n, err)
		}
	}
	m, n, err := c.Decode(frame)
	if err != nil || n != len(frame) {
		t.Fatalf("whole frame: got (%v, %d, %v), want n=%d", m, n, err, len(frame))
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("whole frame: got %#v, want %#v", m, want)
	}
}

// PanicMessage runs f and returns what it panicked with ("non-string
// panic" for a value that is not a string), "" if it did not.
func PanicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}

// FactoryOnce returns a factory of *T that works on its first call (the
// one at registration) and panics on every later one, as a user's factory
// might: decoding must contain the panic (CheckPanicSkipped).
func FactoryOnce[T any]() func() *T {
	calls := 0
	return func() *T {
		calls++
		if calls > 1 {
			panic("codectest: factory called after registration")
		}
		return new(T)
	}
}

// CheckPanicSkipped decodes a frame that makes a type's code panic, then a
// good frame: the first must be a recoverable ErrBadPayload with a
// *message.PanicError cause whose Op names op, the second must decode.
func CheckPanicSkipped(t *testing.T, c message.Codec, bad []byte, op string) {
	t.Helper()
	quit, err := c.AppendFrame(nil, &message.MsgQuit{})
	if err != nil {
		t.Fatal(err)
	}
	buf := append(append([]byte(nil), bad...), quit...)
	m, n, err := c.Decode(buf)
	var de *message.DecodeError
	var pe *message.PanicError
	if m != nil || n != len(bad) || !errors.As(err, &de) || !de.Recoverable() || de.Skip != len(bad) ||
		!errors.Is(err, message.ErrBadPayload) || !errors.As(err, &pe) {
		t.Fatalf("Decode(% x) = (%v, %d, %v), want a recoverable ErrBadPayload with a *PanicError, skipping %d bytes", bad, m, n, err, len(bad))
	}
	if !strings.Contains(pe.Op, op) {
		t.Errorf("PanicError.Op = %q, want it to name %q", pe.Op, op)
	}
	m, n, err = c.Decode(buf[n:])
	if _, ok := m.(*message.MsgQuit); !ok || n != len(quit) || err != nil {
		t.Fatalf("after the skipped frame: Decode = (%v, %d, %v), want the MsgQuit", m, n, err)
	}
}

// CheckEncodePanic checks that AppendFrame of a value whose encoder panics
// fails with an *EncodeError wrapping ErrBadPayload and a *PanicError, with
// dst unchanged, and that the codec then encodes a good value.
func CheckEncodePanic(t *testing.T, c message.Codec, bad, good message.Message) {
	t.Helper()
	dst := []byte("keep")
	out, err := c.AppendFrame(dst, bad)
	var ee *message.EncodeError
	var pe *message.PanicError
	if !errors.As(err, &ee) || !errors.Is(err, message.ErrBadPayload) || !errors.As(err, &pe) {
		t.Fatalf("AppendFrame(%#v) error = %v, want an *EncodeError with ErrBadPayload and a *PanicError", bad, err)
	}
	if string(out) != "keep" {
		t.Fatalf("AppendFrame changed dst to %q", out)
	}
	for range 3 {
		frame, err := c.AppendFrame(nil, good)
		if err != nil {
			t.Fatalf("after the panic: AppendFrame(%#v): %v", good, err)
		}
		m, n, err := c.Decode(frame)
		if err != nil || n != len(frame) {
			t.Fatalf("after the panic: Decode = (%v, %d, %v)", m, n, err)
		}
		if again, _ := c.AppendFrame(nil, m); !bytes.Equal(again, frame) {
			t.Fatalf("after the panic: %q re-encoded to %q", frame, again)
		}
	}
}
