package room_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/room"
)

// Pos is a small, frequent message with its own 8 bytes, as for the byte
// codec; MsgpackRaw makes the msgpack codec carry those bytes as they are.
type Pos struct{ X, Y float32 }

func (*Pos) MessageName() string { return "Pos" }
func (*Pos) ByteCode() byte      { return 0x10 }
func (*Pos) MsgpackRaw()         {}
func (p *Pos) AppendPayload(dst []byte) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.X))
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Y)), nil
}
func (p *Pos) DecodePayload(b []byte) error {
	if len(b) != 8 {
		return errors.New("Pos: payload must be 8 bytes")
	}
	p.X = math.Float32frombits(binary.BigEndian.Uint32(b))
	p.Y = math.Float32frombits(binary.BigEndian.Uint32(b[4:]))
	return nil
}

// Scoreboard is a larger structured message, encoded as msgpack.
type Scoreboard struct {
	Names  []string `msgpack:"names"`
	Scores []int    `msgpack:"scores"`
}

func (*Scoreboard) MessageName() string { return "Scoreboard" }
func (*Scoreboard) MsgpackID() uint16   { return 0x0100 }

func gameCodec() message.Codec {
	c := msgpack.NewCodec(nil)
	message.Register[Pos](c)
	message.Register[Scoreboard](c)
	return c
}

// Small byte messages and larger msgpack ones to the same peers, in one
// Room: the msgpack codec, with the small types as msgpack.RawMessage.
// They arrive in the order sent, on one connection.
func ExampleConfig_codecs() {
	ctx := context.Background()
	host, err := room.New(ctx, &room.Config{AppID: "example", Codec: gameCodec(), Listen: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	guest, err := room.New(ctx, &room.Config{AppID: "example", Codec: gameCodec(), Dial: []string{host.Addr().String()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guest.Close()
	if _, err := host.Recv(ctx); err != nil { // Joined: the guest
		fmt.Println(err)
		return
	}
	_ = host.SendAll(&Pos{X: 1.5, Y: -2})
	_ = host.SendAll(&Scoreboard{Names: []string{"ann", "bob"}, Scores: []int{21, 17}})
	_ = host.SendAll(&Pos{X: 2, Y: -2.5})
	_ = host.Xfer()

	for n := 0; n < 3; {
		ev, err := guest.Recv(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		switch m := ev.(type) {
		case room.Message:
			fmt.Printf("%s %v\n", m.Msg.MessageName(), m.Msg)
			n++
		}
	}
	// Output:
	// Pos &{1.5 -2}
	// Scoreboard &{[ann bob] [21 17]}
	// Pos &{2 -2.5}
}
