package msgpack_test

import (
	"reflect"

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

// Grumpy is registered with a factory that panics after the first call
// (codectest.FactoryOnce).
type Grumpy struct {
	N int `json:"n"`
}

func (*Grumpy) MessageName() string { return "Grumpy" }
func (*Grumpy) ByteCode() byte      { return 0x22 }

func equalMsg(a, b message.Message) bool { return reflect.DeepEqual(a, b) }
