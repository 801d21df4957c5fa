package room

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/cablecar-go/cablecar/message"
)

// The room's control messages, carried by the room's codec among the
// application's messages (see the package documentation, "Wire"). Their
// byte codes (0xF0..0xF7; msgpack takes the same ids) and JSON names
// ("cablecar.room.*") are reserved.
const (
	codeJoin  = 0xF0 // the sender joined group G
	codeLeave = 0xF1 // the sender left group G
	codeTag   = 0xF2 // the next message is published to group G ("" : none)
	codeBye   = 0xF3 // the sender is closing its room: a clean leave
	codePing  = 0xF7 // reserved: the ping of earlier versions, received and ignored
)

// groupField is the one field of every control message: a group name.
type groupField struct {
	G string `json:"g" msgpack:"g"`
}

// AppendPayload writes the name as it is: the frame's length delimits it.
func (g *groupField) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, g.G...), nil
}

var errBadControl = errors.New("room: bad control message")

// DecodePayload accepts a name of at most MaxGroupName bytes of UTF-8.
func (g *groupField) DecodePayload(p []byte) error {
	if len(p) > MaxGroupName || !utf8.Valid(p) {
		return errBadControl
	}
	g.G = string(p)
	return nil
}

type ctrlJoin struct{ groupField }
type ctrlLeave struct{ groupField }
type ctrlTag struct{ groupField }
type ctrlBye struct{ groupField }
type ctrlPing struct{ groupField }

func (*ctrlJoin) MessageName() string  { return "cablecar.room.join" }
func (*ctrlLeave) MessageName() string { return "cablecar.room.leave" }
func (*ctrlTag) MessageName() string   { return "cablecar.room.tag" }
func (*ctrlBye) MessageName() string   { return "cablecar.room.bye" }
func (*ctrlPing) MessageName() string  { return "cablecar.room.ping" }
func (*ctrlPing) ByteCode() byte       { return codePing }
func (*ctrlJoin) ByteCode() byte       { return codeJoin }
func (*ctrlLeave) ByteCode() byte      { return codeLeave }
func (*ctrlTag) ByteCode() byte        { return codeTag }
func (*ctrlBye) ByteCode() byte        { return codeBye }

// controls are the factories of the control messages.
var controls = []func() message.Message{
	func() message.Message { return new(ctrlJoin) },
	func() message.Message { return new(ctrlLeave) },
	func() message.Message { return new(ctrlTag) },
	func() message.Message { return new(ctrlBye) },
	func() message.Message { return new(ctrlNotify) },
	func() message.Message { return new(ctrlItem) },
	func() message.Message { return new(ctrlAck) },
	func() message.Message { return new(ctrlPing) },
}

// registerControls registers the control messages with c, unless they are
// registered already (by another Room on the same codec). A code or name
// taken by another type is an error wrapping ErrInvalidConfig.
//
// The probe of each type is its zero value: its frame must decode back to
// the same type.
func registerControls(c message.Codec) error {
	for _, f := range controls {
		probe := f()
		frame, err := c.AppendFrame(nil, probe)
		if errors.Is(err, message.ErrUnknownType) {
			if err := register(c, f); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: codec %q cannot carry %s: %w", ErrInvalidConfig, c.Name(), probe.MessageName(), err)
		}
		back, _, err := c.Decode(frame)
		if err != nil || fmt.Sprintf("%T", back) != fmt.Sprintf("%T", probe) {
			return fmt.Errorf("%w: codec %q has another type where the room's %s goes (byte code %#x)", ErrInvalidConfig, c.Name(), probe.MessageName(), probe.(message.ByteMessage).ByteCode())
		}
	}
	return nil
}

func register(c message.Codec, f func() message.Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: registering %s with codec %q: %v", ErrInvalidConfig, f().MessageName(), c.Name(), p)
		}
	}()
	message.RegisterAll(c, f)
	return nil
}

// checkGroup returns an error wrapping ErrGroupName for a bad name.
func checkGroup(g string) error {
	if g == "" || len(g) > MaxGroupName || !utf8.ValidString(g) {
		return fmt.Errorf("%w: %q (1..%d bytes of UTF-8)", ErrGroupName, g, MaxGroupName)
	}
	return nil
}

// The work queue's control messages.
const (
	codeNotify = 0xF4 // the sender asks for N more items of queue G
	codeItem   = 0xF5 // the next message is item Seq of queue G
	codeAck    = 0xF6 // the sender received item Seq
)

// ctrlNotify's byte payload: N (4 bytes, big-endian), then the group name.
type ctrlNotify struct {
	G string `json:"g" msgpack:"g"`
	N uint32 `json:"n" msgpack:"n"`
}

// ctrlItem's byte payload: Seq (8 bytes, big-endian), then the group name.
type ctrlItem struct {
	G   string `json:"g" msgpack:"g"`
	Seq uint64 `json:"seq" msgpack:"seq"`
}

// ctrlAck's byte payload: Seq (8 bytes, big-endian).
type ctrlAck struct {
	Seq uint64 `json:"seq" msgpack:"seq"`
}

func (*ctrlNotify) MessageName() string { return "cablecar.room.notify" }
func (*ctrlItem) MessageName() string   { return "cablecar.room.item" }
func (*ctrlAck) MessageName() string    { return "cablecar.room.ack" }
func (*ctrlNotify) ByteCode() byte      { return codeNotify }
func (*ctrlItem) ByteCode() byte        { return codeItem }
func (*ctrlAck) ByteCode() byte         { return codeAck }

func (c *ctrlNotify) AppendPayload(dst []byte) ([]byte, error) {
	return append(binary.BigEndian.AppendUint32(dst, c.N), c.G...), nil
}

func (c *ctrlNotify) DecodePayload(p []byte) error {
	if len(p) < 4 || len(p)-4 > MaxGroupName || !utf8.Valid(p[4:]) {
		return errBadControl
	}
	c.N, c.G = binary.BigEndian.Uint32(p), string(p[4:])
	return nil
}

func (c *ctrlItem) AppendPayload(dst []byte) ([]byte, error) {
	return append(binary.BigEndian.AppendUint64(dst, c.Seq), c.G...), nil
}

func (c *ctrlItem) DecodePayload(p []byte) error {
	if len(p) < 8 || len(p)-8 > MaxGroupName || !utf8.Valid(p[8:]) {
		return errBadControl
	}
	c.Seq, c.G = binary.BigEndian.Uint64(p), string(p[8:])
	return nil
}

func (c *ctrlAck) AppendPayload(dst []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, c.Seq), nil
}

func (c *ctrlAck) DecodePayload(p []byte) error {
	if len(p) != 8 {
		return errBadControl
	}
	c.Seq = binary.BigEndian.Uint64(p)
	return nil
}
