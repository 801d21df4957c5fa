package message_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cablecar-go/cablecar/message"
)

// Position is a user message: a game object's id and place. Copy it as a
// model for your own types. It travels in every codec:
//   - byte: code 0x10, a 16-byte payload (id, x, y, z, each 4 bytes,
//     big-endian / network order), so an 18-byte frame;
//   - JSON: ["Position",{"id":7,"x":1.5,"y":-2.0,"z":0.25}];
//   - msgpack (package message/msgpack): id 0x10 (its ByteCode), the
//     struct as a msgpack map.
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

const positionPayload = 16

var errPositionLength = errors.New("position payload must be 16 bytes")

// AppendPayload appends id, x, y, z in network byte order.
func (p *Position) AppendPayload(dst []byte) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, p.ID)
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.X))
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Y))
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Z))
	return dst, nil
}

// DecodePayload reads what AppendPayload wrote. It does not keep b.
func (p *Position) DecodePayload(b []byte) error {
	if len(b) != positionPayload {
		return errPositionLength
	}
	p.ID = binary.BigEndian.Uint32(b[0:4])
	p.X = math.Float32frombits(binary.BigEndian.Uint32(b[4:8]))
	p.Y = math.Float32frombits(binary.BigEndian.Uint32(b[8:12]))
	p.Z = math.Float32frombits(binary.BigEndian.Uint32(b[12:16]))
	return nil
}

func newPosition() message.ByteMessage { return new(Position) }

func ExampleByteCodec() {
	c := message.NewByteCodec(nil)
	c.Register(newPosition)

	var buf []byte
	buf, _ = c.AppendFrame(buf, &Position{ID: 7, X: 1.5, Y: -2, Z: 0.25})
	buf, _ = c.AppendFrame(buf, &message.MsgQuit{})
	fmt.Printf("% x\n", buf)

	for len(buf) > 0 {
		m, n, err := c.Decode(buf)
		if err != nil || n == 0 {
			break
		}
		buf = buf[n:]
		fmt.Printf("%T %+v\n", m, m)
	}
	// Output:
	// 12 10 00 00 00 07 3f c0 00 00 c0 00 00 00 3e 80 00 00 02 04
	// *message_test.Position &{ID:7 X:1.5 Y:-2 Z:0.25}
	// *message.MsgQuit &{}
}

func ExampleJSONCodec() {
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(Position) })

	line, _ := c.AppendFrame(nil, &Position{ID: 7, X: 0.1, Y: -2, Z: 1e-5})
	fmt.Printf("%s", line)

	// A line as a Python cable_car peer writes it.
	m, n, err := c.Decode([]byte(`["MsgIdentify",{"username":"pyuser","hostname":"pyhost"}]` + "\n"))
	fmt.Printf("%+v %d %v\n", m, n, err)
	// Output:
	// ["Position",{"id":7,"x":0.1,"y":-2.0,"z":1e-05}]
	// &{Username:pyuser Hostname:pyhost} 58 <nil>
}

// A program that picks its codec by a flag registers its own types with
// RegisterAll, whichever codec it got.
func ExampleNewCodec() {
	for _, name := range []string{"byte", "json"} {
		c, err := message.NewCodec(name, nil)
		if err != nil {
			panic(err)
		}
		message.RegisterAll(c, func() message.Message { return new(Position) })
		frame, _ := c.AppendFrame(nil, &Position{ID: 1, X: 2, Y: 3, Z: 4})
		m, n, _ := c.Decode(frame)
		fmt.Printf("%s: %d bytes, %+v\n", c.Name(), n, m)
	}
	// Output:
	// byte: 18 bytes, &{ID:1 X:2 Y:3 Z:4}
	// json: 46 bytes, &{ID:1 X:2 Y:3 Z:4}
}

// The loop a Messenger runs over its read buffer: decode whole frames, skip
// bad ones, stop at a fatal error or when more bytes are needed.
func ExampleCodec_decodeLoop() {
	c := message.NewByteCodec(nil)
	// MsgJoin, a frame with the unregistered code 0x7f, MsgQuit, half a frame.
	buf := []byte{2, 2, 3, 0x7f, 0, 2, 4, 18, 0x10}
	for {
		m, n, err := c.Decode(buf)
		var de *message.DecodeError
		switch {
		case errors.As(err, &de) && de.Recoverable():
			fmt.Println("skipped:", err)
			buf = buf[n:]
			continue
		case err != nil:
			fmt.Println("close the connection:", err)
			return
		case n == 0:
			fmt.Printf("wait for more bytes (%d buffered)\n", len(buf))
			return
		}
		buf = buf[n:]
		fmt.Printf("got %T\n", m)
	}
	// Output:
	// got *message.MsgJoin
	// skipped: message: byte decode 0x7f at offset 1: message: unknown message type
	// got *message.MsgQuit
	// wait for more bytes (2 buffered)
}

func ExampleAppendPythonFloat() {
	for _, f := range []float64{1, 0.1, 1e-5, 1e16, 12.5} {
		fmt.Println(string(message.AppendPythonFloat(nil, f)))
	}
	// Output:
	// 1.0
	// 0.1
	// 1e-05
	// 1e+16
	// 12.5
}

// Blocks makes a factory that allocates messages in blocks, for hot types.
func ExampleBlocks() {
	newPos := message.Blocks[Position](0)
	c := message.NewByteCodec(nil)
	c.Register(func() message.ByteMessage { return newPos() })

	frame, _ := c.AppendFrame(nil, &Position{ID: 1, X: 2})
	m, _, _ := c.Decode(frame)
	fmt.Printf("%+v\n", *m.(*Position))
	// Output: {ID:1 X:2 Y:0 Z:0}
}
