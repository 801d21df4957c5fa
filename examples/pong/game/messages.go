package game

import (
	"encoding/binary"
	"fmt"

	"github.com/cablecar-go/cablecar/message"
)

// Byte codes of the pong messages (0x20 and up; 0x01-0x04 are cablecar's
// built-ins).
const (
	CodePaddle byte = 0x20
	CodeBall   byte = 0x21
	CodePing   byte = 0x22
	CodePong   byte = 0x23
)

// Payload sizes, in bytes. All integers are big-endian.
const (
	paddleSize = 6  // frame u32, x i16
	ballSize   = 19 // frame u32, end u32, x i16, y i16, vx i8, vy i8, wait u8, host score u16, guest score u16
	pingSize   = 12 // seq u32, sent i64
)

// Limits of the fields a decoder accepts (a ball can overshoot a court end by
// one step before the point is scored).
const (
	minBallY = -BallSize - MaxSpeedY
	maxBallY = Height + BallSize + MaxSpeedY
)

// Register registers the pong messages with a byte codec.
func Register(c *message.ByteCodec) {
	message.Register[PaddleMsg](c)
	message.Register[BallMsg](c)
	message.Register[PingMsg](c)
	message.Register[PongMsg](c)
}

// NewCodec returns a byte codec with the built-ins and the pong messages.
func NewCodec() *message.ByteCodec {
	c := message.NewByteCodec(nil)
	Register(c)
	return c
}

// PaddleMsg is a player's paddle, sent by both players every frame. X is the
// paddle's centre in the sender's own view (sender at the bottom); the
// receiver flips it with FlipX. Frame is the host frame the paddle answers:
// the host's frame for the host, the newest BallMsg frame the guest has for
// the guest.
type PaddleMsg struct {
	Frame uint32
	X     int
}

// MessageName returns "MsgPaddle".
func (*PaddleMsg) MessageName() string { return "MsgPaddle" }

// ByteCode returns CodePaddle (0x20).
func (*PaddleMsg) ByteCode() byte { return CodePaddle }

// AppendPayload appends frame and x. X must be a paddle position.
func (m *PaddleMsg) AppendPayload(dst []byte) ([]byte, error) {
	if m.X != ClampPaddle(m.X) {
		return dst, fmt.Errorf("%w: paddle x %d", ErrOutOfRange, m.X)
	}
	dst = binary.BigEndian.AppendUint32(dst, m.Frame)
	return binary.BigEndian.AppendUint16(dst, uint16(m.X)), nil
}

// DecodePayload sets m from p; x must be a paddle position.
func (m *PaddleMsg) DecodePayload(p []byte) error {
	if len(p) != paddleSize {
		return fmt.Errorf("%w: %d bytes for MsgPaddle, want %d", ErrPayloadSize, len(p), paddleSize)
	}
	x := int(int16(binary.BigEndian.Uint16(p[4:])))
	if x != ClampPaddle(x) {
		return fmt.Errorf("%w: paddle x %d", ErrOutOfRange, x)
	}
	m.Frame = binary.BigEndian.Uint32(p)
	m.X = x
	return nil
}

// BallMsg is the host's authoritative state after a frame, in the host's
// view: the guest flips Ball into its own view and swaps the scores. End is
// the frame at which the game ends (0 while the host has not decided).
type BallMsg struct {
	Frame      uint32
	End        uint32
	Ball       Ball
	Wait       int // frames before the serve
	HostScore  int
	GuestScore int
}

// MessageName returns "MsgBall".
func (*BallMsg) MessageName() string { return "MsgBall" }

// ByteCode returns CodeBall (0x21).
func (*BallMsg) ByteCode() byte { return CodeBall }

// AppendPayload appends the state; every field must be one the game can
// produce.
func (m *BallMsg) AppendPayload(dst []byte) ([]byte, error) {
	if err := m.check(); err != nil {
		return dst, err
	}
	return m.appendFields(dst), nil
}

// appendFields appends the payload without checking the fields.
func (m *BallMsg) appendFields(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, m.Frame)
	dst = binary.BigEndian.AppendUint32(dst, m.End)
	dst = binary.BigEndian.AppendUint16(dst, uint16(m.Ball.X))
	dst = binary.BigEndian.AppendUint16(dst, uint16(m.Ball.Y))
	dst = append(dst, byte(int8(m.Ball.VX)), byte(int8(m.Ball.VY)), byte(m.Wait))
	dst = binary.BigEndian.AppendUint16(dst, uint16(m.HostScore))
	return binary.BigEndian.AppendUint16(dst, uint16(m.GuestScore))
}

// DecodePayload sets m from p and checks every field.
func (m *BallMsg) DecodePayload(p []byte) error {
	if len(p) != ballSize {
		return fmt.Errorf("%w: %d bytes for MsgBall, want %d", ErrPayloadSize, len(p), ballSize)
	}
	be := binary.BigEndian
	d := BallMsg{
		Frame: be.Uint32(p),
		End:   be.Uint32(p[4:]),
		Ball: Ball{
			X:  int(int16(be.Uint16(p[8:]))),
			Y:  int(int16(be.Uint16(p[10:]))),
			VX: int(int8(p[12])),
			VY: int(int8(p[13])),
		},
		Wait:       int(p[14]),
		HostScore:  int(be.Uint16(p[15:])),
		GuestScore: int(be.Uint16(p[17:])),
	}
	if err := d.check(); err != nil {
		return err
	}
	*m = d
	return nil
}

func (m *BallMsg) check() error {
	b := m.Ball
	switch {
	case m.End != 0 && m.Frame > m.End:
		return fmt.Errorf("%w: frame %d after end %d", ErrOutOfRange, m.Frame, m.End)
	case b.X < 0 || b.X > Width:
		return fmt.Errorf("%w: ball x %d", ErrOutOfRange, b.X)
	case b.Y < minBallY || b.Y > maxBallY:
		return fmt.Errorf("%w: ball y %d", ErrOutOfRange, b.Y)
	case b.VX < -MaxSpeedX || b.VX > MaxSpeedX:
		return fmt.Errorf("%w: ball vx %d", ErrOutOfRange, b.VX)
	case b.VY == 0 || b.VY < -MaxSpeedY || b.VY > MaxSpeedY:
		return fmt.Errorf("%w: ball vy %d", ErrOutOfRange, b.VY)
	case m.Wait < 0 || m.Wait > ServeWait:
		return fmt.Errorf("%w: wait %d", ErrOutOfRange, m.Wait)
	case m.HostScore < 0 || m.HostScore > 0xffff || m.GuestScore < 0 || m.GuestScore > 0xffff:
		return fmt.Errorf("%w: score %d:%d", ErrOutOfRange, m.HostScore, m.GuestScore)
	}
	return nil
}

// PingMsg asks the peer for a PongMsg with the same fields; the round trip
// is the time from Sent to the PongMsg's arrival. Sent is the sender's own
// clock (nanoseconds since it started); the peer only echoes it.
type PingMsg struct {
	Seq  uint32
	Sent int64
}

// MessageName returns "MsgPing".
func (*PingMsg) MessageName() string { return "MsgPing" }

// ByteCode returns CodePing (0x22).
func (*PingMsg) ByteCode() byte { return CodePing }

// AppendPayload appends seq and sent.
func (m *PingMsg) AppendPayload(dst []byte) ([]byte, error) {
	return appendPing(dst, m.Seq, m.Sent), nil
}

// DecodePayload sets m from p.
func (m *PingMsg) DecodePayload(p []byte) (err error) {
	m.Seq, m.Sent, err = decodePing(p, "MsgPing")
	return err
}

// PongMsg answers a PingMsg with its fields.
type PongMsg struct {
	Seq  uint32
	Sent int64
}

// MessageName returns "MsgPong".
func (*PongMsg) MessageName() string { return "MsgPong" }

// ByteCode returns CodePong (0x23).
func (*PongMsg) ByteCode() byte { return CodePong }

// AppendPayload appends seq and sent.
func (m *PongMsg) AppendPayload(dst []byte) ([]byte, error) {
	return appendPing(dst, m.Seq, m.Sent), nil
}

// DecodePayload sets m from p.
func (m *PongMsg) DecodePayload(p []byte) (err error) {
	m.Seq, m.Sent, err = decodePing(p, "MsgPong")
	return err
}

func appendPing(dst []byte, seq uint32, sent int64) []byte {
	dst = binary.BigEndian.AppendUint32(dst, seq)
	return binary.BigEndian.AppendUint64(dst, uint64(sent))
}

func decodePing(p []byte, name string) (uint32, int64, error) {
	if len(p) != pingSize {
		return 0, 0, fmt.Errorf("%w: %d bytes for %s, want %d", ErrPayloadSize, len(p), name, pingSize)
	}
	return binary.BigEndian.Uint32(p), int64(binary.BigEndian.Uint64(p[4:])), nil
}

// Interface checks.
var (
	_ message.PayloadAppender = (*PaddleMsg)(nil)
	_ message.PayloadDecoder  = (*PaddleMsg)(nil)
	_ message.PayloadAppender = (*BallMsg)(nil)
	_ message.PayloadDecoder  = (*BallMsg)(nil)
	_ message.PayloadAppender = (*PingMsg)(nil)
	_ message.PayloadDecoder  = (*PingMsg)(nil)
	_ message.PayloadAppender = (*PongMsg)(nil)
	_ message.PayloadDecoder  = (*PongMsg)(nil)
)
