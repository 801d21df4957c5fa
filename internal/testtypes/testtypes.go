// Package testtypes holds message types that the tests of several packages
// (message, message/msgpack, messenger) send: a position with a byte
// payload, and the structs of the JSON and msgpack codec tests. The
// package message examples keep their own Position: it is the model for
// user types that the package documentation points to.
//
// Only tests import it.
package testtypes

import (
	"encoding/binary"
	"errors"
	"math"
)

// Position is a game position: code 0x10 (the msgpack id too), uint32 id
// and three float32, big-endian: a 16-byte payload, an 18-byte byte frame.
type Position struct {
	ID uint32  `json:"id" msgpack:"id"`
	X  float32 `json:"x" msgpack:"x"`
	Y  float32 `json:"y" msgpack:"y"`
	Z  float32 `json:"z" msgpack:"z"`
}

// MessageName is the JSON class name.
func (*Position) MessageName() string { return "Position" }

// ByteCode is the byte-frame code.
func (*Position) ByteCode() byte { return 0x10 }

// AppendPayload appends id, x, y, z in network byte order.
func (p *Position) AppendPayload(dst []byte) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, p.ID)
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.X))
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Y))
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Z)), nil
}

// ErrPositionLength is DecodePayload's error for a payload that is not 16
// bytes.
var ErrPositionLength = errors.New("position: payload must be 16 bytes")

// DecodePayload reads what AppendPayload wrote. It does not keep b.
func (p *Position) DecodePayload(b []byte) error {
	if len(b) != 16 {
		return ErrPositionLength
	}
	p.ID = binary.BigEndian.Uint32(b[0:4])
	p.X = math.Float32frombits(binary.BigEndian.Uint32(b[4:8]))
	p.Y = math.Float32frombits(binary.BigEndian.Uint32(b[8:12]))
	p.Z = math.Float32frombits(binary.BigEndian.Uint32(b[12:16]))
	return nil
}

// MsgStats is the cpu_mon example's message (docs/compat.md).
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

// MessageName is the JSON class name.
func (*MsgStats) MessageName() string { return "MsgStats" }

// Inner is the struct inside Nested.
type Inner struct {
	OK   bool `json:"ok"`
	None *int `json:"none"`
}

// Nested is a message with every kind of JSON value in it.
type Nested struct {
	Name   string         `json:"name"`
	Tags   []string       `json:"tags"`
	Scores map[string]int `json:"scores"`
	Inner  Inner          `json:"inner"`
	Empty  []int          `json:"empty"`
	Raw    []any          `json:"raw"`
}

// MessageName is the JSON class name.
func (*Nested) MessageName() string { return "Nested" }
