package msgpack_test

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

// The test types of package message that travel in msgpack frames. The
// msgpack codec needs no payload methods: Position and Text take their ids
// from their ByteCode, the others are registered with RegisterID.

// Position is a game position (id 0x10, its ByteCode).
type Position struct {
	ID uint32  `json:"id" msgpack:"id"`
	X  float32 `json:"x" msgpack:"x"`
	Y  float32 `json:"y" msgpack:"y"`
	Z  float32 `json:"z" msgpack:"z"`
}

// MessageName is the JSON class name.
func (*Position) MessageName() string { return "Position" }

// ByteCode is the byte-frame code, and so the msgpack id.
func (*Position) ByteCode() byte { return 0x10 }

// Text is a message with a string (id 0x11).
type Text struct {
	S string `json:"s" msgpack:"s"`
}

func (*Text) MessageName() string { return "Text" }
func (*Text) ByteCode() byte      { return 0x11 }

// MsgStats is the cpu_mon example's message.
type MsgStats struct {
	Host          string     `json:"host"`
	CPUPercent    float64    `json:"cpu_percent"`
	LoadAvg       [3]float64 `json:"load_avg"`
	MemoryPercent float64    `json:"memory_percent"`
	MemoryTotal   uint64     `json:"memory_total"`
	SwapPercent   float64    `json:"swap_percent"`
	SwapTotal     uint64     `json:"swap_total"`
	Temp          *float64   `json:"temp,omitempty"`
}

func (*MsgStats) MessageName() string { return "MsgStats" }

type Inner struct {
	OK   bool `json:"ok"`
	None *int `json:"none"`
}

type Nested struct {
	Name   string         `json:"name"`
	Tags   []string       `json:"tags"`
	Scores map[string]int `json:"scores"`
	Inner  Inner          `json:"inner"`
	Empty  []int          `json:"empty"`
	Raw    []any          `json:"raw"`
}

func (*Nested) MessageName() string { return "Nested" }

type WithAny struct {
	V any `json:"v"`
}

func (*WithAny) MessageName() string { return "WithAny" }

// Grumpy's factory panics on every call after the first (registration).
type Grumpy struct {
	N int `json:"n"`
}

func (*Grumpy) MessageName() string { return "Grumpy" }
func (*Grumpy) ByteCode() byte      { return 0x22 }

func grumpyFactory() func() *Grumpy {
	calls := 0
	return func() *Grumpy {
		calls++
		if calls > 1 {
			panic("grumpy: factory")
		}
		return new(Grumpy)
	}
}

func equalMsg(a, b message.Message) bool { return reflect.DeepEqual(a, b) }

// readGolden reads testdata/<name>: lines "<label> <value>", '#' comments.
func readGolden(t testing.TB, name string) map[string]string {
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

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkSplits feeds frame to c one prefix at a time: every proper prefix
// must say "need more bytes", the whole frame must decode to want.
func checkSplits(t *testing.T, c message.Codec, frame []byte, want message.Message) {
	t.Helper()
	for i := 0; i < len(frame); i++ {
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
	if !equalMsg(m, want) {
		t.Fatalf("whole frame: got %#v, want %#v", m, want)
	}
}

// panicMessage runs f and returns the string it panicked with.
func panicMessage(f func()) (msg string) {
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

// checkPanicSkipped decodes a frame that makes a type's code panic, then a
// good frame: the first must be a recoverable ErrBadPayload with a
// *message.PanicError cause, the second must decode.
func checkPanicSkipped(t *testing.T, c message.Codec, bad []byte, op string) {
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

// checkEncodePanic checks that AppendFrame of a value whose encoder panics
// fails with an *EncodeError wrapping ErrBadPayload and a *PanicError, with
// dst unchanged, and that the codec then encodes a good value.
func checkEncodePanic(t *testing.T, c message.Codec, bad, good message.Message) {
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
