// Package roomtest holds what the tests of several packages (room, relay,
// the test programs under tests/) share about rooms: the note message they
// send, and the loop that runs frames of rooms until a condition holds.
//
// Only tests and test programs import it. It does not import package room,
// so room's own in-package tests can use it: a room is anything with Xfer
// and Get.
package roomtest

import (
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// Note is the tests' message: a string, byte code (and msgpack id) 0x20,
// JSON class "note".
type Note struct{ S string }

// MessageName is the JSON class name.
func (*Note) MessageName() string { return "note" }

// ByteCode is the byte-frame code.
func (*Note) ByteCode() byte { return 0x20 }

// AppendPayload appends the string's bytes.
func (n *Note) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, n.S...), nil
}

// DecodePayload takes the whole payload as the string.
func (n *Note) DecodePayload(p []byte) error { n.S = string(p); return nil }

// NewCodec returns a byte codec that knows Note.
func NewCodec() message.Codec {
	c := message.NewByteCodec(nil)
	message.Register[Note](c)
	return c
}

// Room is what a frame runs: a room's Xfer and Get (E is its event type,
// an interface whose nil Get returns when no event is left).
type Room[E any] interface {
	Xfer() error
	Get() E
}

// Frame runs one frame of r: Xfer, Get until nil, Xfer. It returns events
// with what Get returned appended.
func Frame[E any](r Room[E], events []E) []E {
	_ = r.Xfer()
	for ev := r.Get(); any(ev) != nil; ev = r.Get() {
		events = append(events, ev)
	}
	_ = r.Xfer()
	return events
}

// Until calls step (when not nil) and then checks cond, about once a
// millisecond, until cond holds, failing t with what once within has
// passed.
func Until(t testing.TB, within time.Duration, what string, cond func() bool, step func()) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		if step != nil {
			step()
		}
		time.Sleep(time.Millisecond) // a frame or a poll, not a synchronisation
	}
}
