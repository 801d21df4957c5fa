package room

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/messenger"
)

// One codec or two: what a game pays for its small, frequent messages
// (positions) and its larger structured ones (a scoreboard) in one msgpack
// Room, in one msgpack Room whose small messages write their own bytes
// (msgpack.RawMessage), and in two Rooms (the byte codec for the small
// ones, msgpack for the large). See "One codec per Room" in doc.go.

// cpos is a position: 16 payload bytes by hand in the byte codec; the
// msgpack codec encodes its fields.
type cpos struct {
	ID uint32  `msgpack:"i"`
	X  float32 `msgpack:"x"`
	Y  float32 `msgpack:"y"`
	Z  float32 `msgpack:"z"`
}

func (*cpos) MessageName() string { return "cpos" }
func (*cpos) ByteCode() byte      { return 0x30 }
func (p *cpos) AppendPayload(dst []byte) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, p.ID)
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.X))
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Y))
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(p.Z)), nil
}
func (p *cpos) DecodePayload(b []byte) error {
	if len(b) != 16 {
		return errors.New("cpos: payload must be 16 bytes")
	}
	p.ID = binary.BigEndian.Uint32(b)
	p.X = math.Float32frombits(binary.BigEndian.Uint32(b[4:]))
	p.Y = math.Float32frombits(binary.BigEndian.Uint32(b[8:]))
	p.Z = math.Float32frombits(binary.BigEndian.Uint32(b[12:]))
	return nil
}

// rawPos is cpos as a msgpack.RawMessage: its own 16 bytes in a msgpack
// frame.
type rawPos struct{ cpos }

func (*rawPos) MessageName() string { return "rawPos" }
func (*rawPos) ByteCode() byte      { return 0x31 }
func (*rawPos) MsgpackRaw()         {}

// board is the larger structured message: about 250 bytes of msgpack.
type board struct {
	Round  uint32   `msgpack:"round"`
	Names  []string `msgpack:"names"`
	Scores []int32  `msgpack:"scores"`
	Note   string   `msgpack:"note"`
}

func (*board) MessageName() string { return "board" }
func (*board) MsgpackID() uint16   { return 0x0132 }

func newBoard() *board {
	b := &board{Round: 7, Note: "sudden death: first to 21 wins the round"}
	for i := range 8 {
		b.Names = append(b.Names, "player-"+string(rune('a'+i))+"-longname")
		b.Scores = append(b.Scores, int32(1000*i+17))
	}
	return b
}

func codecsMsgpack() message.Codec {
	c := msgpack.NewCodec(nil)
	message.Register[cpos](c)
	message.Register[rawPos](c)
	message.Register[board](c)
	return c
}

func codecsByte() message.Codec {
	c := message.NewByteCodec(nil)
	message.Register[cpos](c)
	return c
}

// codecPair starts a listening Room and one that dials it, with codec
// and appID, and waits until they are connected.
func codecPair(b *testing.B, appID string, codec func() message.Codec) (send, recv *member) {
	send = listener(b, Config{AppID: appID, Codec: codec()})
	r, err := New(context.Background(), &Config{AppID: appID, Codec: codec(), Dial: []string{send.Addr().String()}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	recv = &member{Room: r}
	until(b, "the pair", func() bool { return len(send.Peers()) == 1 && len(recv.Peers()) == 1 }, send, recv)
	pump(send, recv)
	send.events, recv.events = nil, nil
	return send, recv
}

// sendRetry sends msg to every peer of m, waiting (Flush) while its write
// queue is full: every message arrives.
func sendRetry(b *testing.B, m *member, msg message.Message) {
	for {
		err := m.SendAll(msg)
		if err == nil {
			return
		}
		if !errors.Is(err, messenger.ErrQueueFull) {
			b.Fatal(err)
		}
		if err := m.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCodecs: b.N frames of 8 positions and one board, from one Room (or
// two: split) to its peer, which pumps on a goroutine of its own until it
// has them all. ns/op is per frame, wire-B/frame the bytes the senders
// wrote per frame (pings included); allocs count both ends (the receiver
// decodes into new values).
func benchCodecs(b *testing.B, split bool, small func() message.Message) {
	var senders, recvs []*member
	if split {
		s1, r1 := codecPair(b, "room-test", codecsByte)
		s2, r2 := codecPair(b, "room-test.bulk", codecsMsgpack)
		senders, recvs = []*member{s1, s2}, []*member{r1, r2}
	} else {
		s, r := codecPair(b, "room-test", codecsMsgpack)
		senders, recvs = []*member{s}, []*member{r}
	}
	want := 9 * b.N
	done := make(chan int)
	go func() {
		got, boards := 0, 0
		defer func() {
			if boards != b.N { // 8 positions, then a board, in every frame
				got = -boards
			}
			done <- got
		}()
		for got < want {
			for _, r := range recvs {
				if err := r.Xfer(); err != nil {
					return
				}
				for ev := r.Get(); ev != nil; ev = r.Get() {
					if m, ok := ev.(Message); ok {
						got++
						if bd, ok := m.Msg.(*board); ok && len(bd.Names) == 8 && bd.Scores[7] == 7017 {
							boards++
						}
					}
				}
			}
		}
	}()
	wire := func() (n uint64) {
		var s messenger.Stats
		for _, m := range senders {
			m.Stats(m.Peers()[0], &s)
			n += s.BytesOut
		}
		return n
	}
	pos, bd := small(), newBoard()
	bulk := senders[len(senders)-1]
	b.ReportAllocs()
	b.ResetTimer()
	before := wire()
	for range b.N {
		for range 8 {
			sendRetry(b, senders[0], pos)
		}
		sendRetry(b, bulk, bd)
		for _, m := range senders {
			_ = m.Xfer()
		}
	}
	got := 0
	for waiting := true; waiting; {
		select {
		case got = <-done:
			waiting = false
		default:
			for _, m := range senders {
				_ = m.Xfer()
			}
		}
	}
	b.StopTimer()
	if got != want {
		b.Fatalf("received %d messages of %d (a negative count: the boards received, not %d intact)", got, want, b.N)
	}
	b.ReportMetric(float64(wire()-before)/float64(b.N), "wire-B/frame")
}

func BenchmarkRoomCodecsMsgpack(b *testing.B) {
	benchCodecs(b, false, func() message.Message { return &cpos{ID: 7, X: 1.5, Y: -2, Z: 300.25} })
}

func BenchmarkRoomCodecsMsgpackRaw(b *testing.B) {
	benchCodecs(b, false, func() message.Message { return &rawPos{cpos{ID: 7, X: 1.5, Y: -2, Z: 300.25}} })
}

func BenchmarkRoomCodecsTwoRooms(b *testing.B) {
	benchCodecs(b, true, func() message.Message { return &cpos{ID: 7, X: 1.5, Y: -2, Z: 300.25} })
}
