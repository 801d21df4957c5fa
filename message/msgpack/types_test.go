package msgpack_test

import (
	"reflect"

	"github.com/cablecar-go/cablecar/internal/testtypes"
	"github.com/cablecar-go/cablecar/message"
)

// The test types of package message that travel in msgpack frames. The
// msgpack codec needs no payload methods: Position and Text take their ids
// from their ByteCode, the others are registered with RegisterID.

// Position is a game position (id 0x10, its ByteCode). The msgpack codec
// does not use its payload methods.
type Position = testtypes.Position

// Text is a message with a string (id 0x11).
type Text struct {
	S string `json:"s" msgpack:"s"`
}

func (*Text) MessageName() string { return "Text" }
func (*Text) ByteCode() byte      { return 0x11 }

// MsgStats is the cpu_mon example's message.
type MsgStats = testtypes.MsgStats

// Inner and Nested carry every kind of JSON value.
type (
	Inner  = testtypes.Inner
	Nested = testtypes.Nested
)

type WithAny struct {
	V any `json:"v"`
}

func (*WithAny) MessageName() string { return "WithAny" }

// Grumpy is registered with a factory that panics after the first call
// (codectest.FactoryOnce).
type Grumpy struct {
	N int `json:"n"`
}

func (*Grumpy) MessageName() string { return "Grumpy" }
func (*Grumpy) ByteCode() byte      { return 0x22 }

func equalMsg(a, b message.Message) bool { return reflect.DeepEqual(a, b) }
