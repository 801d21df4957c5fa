package msgpack_test

import (
	"fmt"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

func ExampleCodec() {
	c := msgpack.NewCodec(nil)
	c.Register(func() message.Message { return new(Position) }) // id 0x10, its ByteCode

	frame, _ := c.AppendFrame(nil, &Position{ID: 7, X: 1.5, Y: -2, Z: 0.25})
	fmt.Printf("len % x, id % x, %d body bytes\n", frame[:4], frame[4:6], len(frame)-6)

	m, _, _ := c.Decode(frame)
	fmt.Printf("%+v\n", m)
	// Output:
	// len 00 00 00 20, id 00 10, 26 body bytes
	// &{ID:7 X:1.5 Y:-2 Z:0.25}
}

// Versioned picks its own id.
type Versioned struct {
	V int `msgpack:"v"`
}

func (*Versioned) MessageName() string { return "Versioned" }
func (*Versioned) MsgpackID() uint16   { return 0xBEEF }

// A type that is not a byte message gives its id with MsgpackID (or is
// registered with RegisterID).
func ExampleMessage() {
	c := msgpack.NewCodec(nil)
	c.Register(func() message.Message { return new(Versioned) })
	frame, _ := c.AppendFrame(nil, &Versioned{V: 5})
	fmt.Printf("% x\n", frame)
	// Output: 00 00 00 0a be ef 81 a1 76 05
}

// Importing the package makes the codec known to message.NewCodec under
// "msgpack", for programs that pick the codec by a flag.
func ExampleCodec_byName() {
	c, err := message.NewCodec("msgpack", nil)
	if err != nil {
		panic(err)
	}
	message.RegisterAll(c, func() message.Message { return new(Position) })
	frame, _ := c.AppendFrame(nil, &Position{ID: 1, X: 2, Y: 3, Z: 4})
	m, n, _ := c.Decode(frame)
	fmt.Printf("%s: %d bytes, %+v\n", c.Name(), n, m)
	fmt.Println(message.CodecNames())
	// Output:
	// msgpack: 32 bytes, &{ID:1 X:2 Y:3 Z:4}
	// [byte json msgpack]
}

// Maps are written in key order, so a value always gives the same frame.
func ExampleCodec_AppendFrame_mapOrder() {
	c := msgpack.NewCodec(nil)
	c.RegisterID(0x100, func() message.Message { return new(Nested) })
	frame, _ := c.AppendFrame(nil, &Nested{Scores: map[string]int{"c": 3, "a": 1, "b": 2}})
	m, _, _ := c.Decode(frame)
	fmt.Printf("%v\n", m.(*Nested).Scores)
	again, _ := c.AppendFrame(nil, m)
	fmt.Println(string(again) == string(frame))
	// Output:
	// map[a:1 b:2 c:3]
	// true
}
