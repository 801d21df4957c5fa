package message_test

import (
	"errors"
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
