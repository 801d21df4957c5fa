package message_test

import (
	"bufio"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// Text is a test message with a variable payload: code 0x11, payload = the
// string's bytes.
type Text struct {
	S string `json:"s" msgpack:"s"`
}

func (*Text) MessageName() string { return "Text" }
func (*Text) ByteCode() byte      { return 0x11 }
func (t *Text) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, t.S...), nil
}
func (t *Text) DecodePayload(p []byte) error {
	if strings.Contains(string(p), "\x00") {
		return errNUL
	}
	t.S = string(p)
	return nil
}

var errNUL = errors.New("text: NUL byte")

// Failing is a test message whose payload encoder always fails.
type Failing struct{}

func (*Failing) MessageName() string { return "Failing" }
func (*Failing) ByteCode() byte      { return 0x12 }
func (*Failing) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, "partial"...), errFailing
}

var errFailing = errors.New("failing: cannot encode")

func newText() message.ByteMessage    { return new(Text) }
func newFailing() message.ByteMessage { return new(Failing) }

// testByteCodec returns a byte codec with the test types registered.
func testByteCodec() *message.ByteCodec {
	c := message.NewByteCodec(nil)
	c.Register(newPosition)
	c.Register(newText)
	c.Register(newFailing)
	return c
}

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

// decodeAll decodes every frame in buf and fails on any error or leftover.
func decodeAll(t testing.TB, c message.Codec, buf []byte) []message.Message {
	t.Helper()
	var out []message.Message
	for len(buf) > 0 {
		m, n, err := c.Decode(buf)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if n == 0 {
			t.Fatalf("decode: %d bytes left over, need more", len(buf))
		}
		out = append(out, m)
		buf = buf[n:]
	}
	return out
}

// checkSplits feeds frame to c one prefix at a time: every proper prefix
// must say "need more bytes", the whole frame must decode to want.
func checkSplits(t *testing.T, c message.Codec, frame []byte, want message.Message) {
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
	if !equalMsg(m, want) {
		t.Fatalf("whole frame: got %#v, want %#v", m, want)
	}
}
