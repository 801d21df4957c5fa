package message_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

// decoderCodec is a codec whose Decode is a Decoder's, so that the codec
// checks run on a Decoder.
type decoderCodec struct {
	*message.ByteCodec
	d message.Decoder
}

func (c decoderCodec) Decode(buf []byte) (message.Message, int, error) { return c.d.Decode(buf) }

// typedByteCodec registers Position and Text with message.Register (the
// typed paths).
func typedByteCodec() *message.ByteCodec {
	c := message.NewByteCodec(nil)
	message.Register[Position](c)
	message.Register[Text](c)
	return c
}

// The typed paths of Register[T] give the frames, values and errors of the
// general path (the codec's Register method), through the codec and
// through a Decoder.
func TestRegisterTypedSameAsGeneral(t *testing.T) {
	t.Parallel()
	gen := message.NewByteCodec(nil)
	gen.Register(newPosition)
	gen.Register(newText)
	typed := typedByteCodec()
	msgs := []message.Message{
		&Position{ID: 7, X: 1.5, Y: -2, Z: 0.25}, &Text{S: "hello"}, &Text{}, &message.MsgQuit{}, &message.MsgJoin{},
	}
	var stream []byte
	for _, m := range msgs {
		want, err := gen.AppendFrame([]byte("x"), m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := typed.AppendFrame([]byte("x"), m)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("AppendFrame(%T) = % x, %v; want % x", m, got, err, want)
		}
		stream = append(stream, want[1:]...)
	}
	bad := [][]byte{
		{3, 0x10, 1},                   // a short position: its DecodePayload refuses it
		{4, 0x11, 'a', 0},              // a NUL in a Text
		{2, 0x7e},                      // an unknown code
		{3, byte(message.CodeQuit), 1}, // a payload for a type without one
	}
	for _, b := range bad {
		stream = append(stream, b...)
	}
	stream = append(stream, 0) // a length byte of 0: fatal
	for _, c := range []message.Codec{typed, decoderCodec{typed, typed.NewDecoder()}} {
		buf := stream
		for len(buf) > 0 {
			m1, n1, err1 := gen.Decode(buf)
			m2, n2, err2 := c.Decode(buf)
			if n1 != n2 || (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) ||
				(m1 == nil) != (m2 == nil) || (m1 != nil && !sameMessage(gen, m1, m2)) {
				t.Fatalf("%T: Decode(% x) = (%v, %d, %v), want (%v, %d, %v)", c, buf, m2, n2, err2, m1, n1, err1)
			}
			if err2 != nil && n2 > 0 && !errors.Is(err2, message.ErrBadPayload) && !errors.Is(err2, message.ErrUnknownType) {
				t.Errorf("skipped frame: %v", err2)
			}
			if n1 == 0 {
				break
			}
			buf = buf[n1:]
		}
	}
}

// Another type with a registered type's code is not taken for it.
type Impostor struct{ P Position }

func (*Impostor) MessageName() string                        { return "Impostor" }
func (*Impostor) ByteCode() byte                             { return 0x10 }
func (i *Impostor) AppendPayload(dst []byte) ([]byte, error) { return i.P.AppendPayload(dst) }

func TestRegisterTypedRefusesOtherType(t *testing.T) {
	t.Parallel()
	c := typedByteCodec()
	out, err := c.AppendFrame([]byte("keep"), &Impostor{})
	if !errors.Is(err, message.ErrUnknownType) || string(out) != "keep" {
		t.Fatalf("AppendFrame(*Impostor) = %q, %v; want ErrUnknownType and dst unchanged", out, err)
	}
}

// A panic in a type's payload methods is contained on the typed paths too.
func TestRegisterTypedPanicContained(t *testing.T) {
	t.Parallel()
	c := message.NewByteCodec(nil)
	message.Register[Short](c)
	message.Register[Bomb](c)
	for _, cc := range []message.Codec{c, decoderCodec{c, c.NewDecoder()}} {
		codectest.CheckPanicSkipped(t, cc, []byte{2, 0x20}, "*message_test.Short")
		codectest.CheckPanicSkipped(t, cc, []byte{3, 0x20, 7}, "*message_test.Short")
		m, n, err := cc.Decode([]byte{4, 0x20, 1, 2})
		if s, ok := m.(*Short); !ok || n != 4 || err != nil || *s != (Short{1, 2}) {
			t.Fatalf("Decode = (%v, %d, %v)", m, n, err)
		}
	}
	codectest.CheckEncodePanic(t, c, &Bomb{Boom: true}, &Bomb{})
}

// A Decoder hands out a new value per frame, from blocks of its own.
func TestByteDecoderDistinctValues(t *testing.T) {
	t.Parallel()
	c := typedByteCodec()
	d1, d2 := c.NewDecoder(), c.NewDecoder()
	frame, err := c.AppendFrame(nil, &Position{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[*Position]bool)
	for i := range 3 * message.DefaultBlockSize {
		for _, d := range []message.Decoder{d1, d2, c} {
			m, _, err := d.Decode(frame)
			p, ok := m.(*Position)
			if err != nil || !ok || p.ID != 1 {
				t.Fatalf("Decode = (%v, %v)", m, err)
			}
			if seen[p] {
				t.Fatalf("frame %d: a value handed out twice", i)
			}
			seen[p] = true
			p.ID = 0 // a later value must not be this one
		}
	}
}

func BenchmarkByteDecodePositionTyped(b *testing.B) {
	benchDecode(b, typedByteCodec())
}

func BenchmarkByteDecodePositionDecoder(b *testing.B) {
	c := typedByteCodec()
	benchDecode(b, decoderCodec{c, c.NewDecoder()})
}

func BenchmarkByteEncodePositionTyped(b *testing.B) { benchEncode(b, typedByteCodec()) }

// FuzzByteDecoder checks that a Decoder and the codec's Decode agree on
// every input, and that neither panics; and that DecodeUnchecked with
// Recovered after a panic (Short panics on a short payload) agrees too.
func FuzzByteDecoder(f *testing.F) {
	codectest.AddGoldenSeeds(f, "byte.golden", true, "")
	f.Add([]byte{0})
	f.Add([]byte{3, 0x10, 1, 2, 0x20})
	f.Add([]byte{18, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 4, 0x11, 'a', 0})
	f.Add([]byte{2, 0x20, 4, 0x20, 1, 2})
	c := typedByteCodec()
	message.Register[Short](c)
	f.Fuzz(func(t *testing.T, data []byte) {
		d := c.NewDecoder()
		buf := data
		for len(buf) > 0 {
			m1, n1, err1 := c.Decode(buf)
			m2, n2, err2 := d.Decode(buf)
			if n1 != n2 || (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) ||
				(m1 == nil) != (m2 == nil) || (m1 != nil && !sameMessage(c, m1, m2)) {
				t.Fatalf("Decoder: (%v, %d, %v), codec: (%v, %d, %v)", m2, n2, err2, m1, n1, err1)
			}
			m3, n3, err3 := decodeUnchecked(d.(message.UncheckedDecoder), buf)
			if n1 != n3 || (err1 == nil) != (err3 == nil) || (err1 != nil && err1.Error() != err3.Error()) ||
				(m1 == nil) != (m3 == nil) || (m1 != nil && !sameMessage(c, m1, m3)) {
				t.Fatalf("DecodeUnchecked + Recovered: (%v, %d, %v), codec: (%v, %d, %v)", m3, n3, err3, m1, n1, err1)
			}
			if n1 == 0 {
				break
			}
			buf = buf[n1:]
		}
	})
}

// decodeUnchecked is what a Messenger does with an UncheckedDecoder: it
// recovers a panic of DecodeUnchecked and asks Recovered for the result.
func decodeUnchecked(d message.UncheckedDecoder, buf []byte) (m message.Message, n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			m = nil
			n, err = d.Recovered(buf, r)
		}
	}()
	return d.DecodeUnchecked(buf)
}

// An Encoder gives the codec's frames and errors, whatever the order of
// types, a nil value and a type not registered included.
func TestByteEncoderSameAsCodec(t *testing.T) {
	t.Parallel()
	c := typedByteCodec()
	c.Register(func() message.ByteMessage { return new(Failing) })
	e := c.NewEncoder()
	var nilPos *Position
	msgs := []message.Message{
		&Position{ID: 1}, &Position{ID: 2}, &Text{S: "a"}, &Position{ID: 3}, &Impostor{}, &Position{ID: 4},
		&message.MsgQuit{}, &Failing{}, &Text{S: "b"}, &Text{S: string(make([]byte, 300))}, nilPos, &Bomb{}, &Position{ID: 5},
	}
	for i, m := range msgs {
		want, werr := c.AppendFrame([]byte("x"), m)
		got, gerr := e.AppendFrame([]byte("x"), m)
		if !bytes.Equal(got, want) || (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("message %d (%T): Encoder (% x, %v), codec (% x, %v)", i, m, got, gerr, want, werr)
		}
	}
}

func BenchmarkByteEncodePositionEncoder(b *testing.B) {
	c := typedByteCodec()
	benchEncode(b, encoderCodec{c, c.NewEncoder()})
}

// encoderCodec is a codec whose AppendFrame is an Encoder's.
type encoderCodec struct {
	*message.ByteCodec
	e message.Encoder
}

func (c encoderCodec) AppendFrame(dst []byte, m message.Message) ([]byte, error) {
	return c.e.AppendFrame(dst, m)
}

// A type registered after NewDecoder (which the doc forbids) is still
// decoded, by the codec's path, rather than crashing the reader.
func TestByteDecoderLateType(t *testing.T) {
	t.Parallel()
	c := message.NewByteCodec(nil)
	message.Register[Position](c)
	d := c.NewDecoder()
	message.Register[Text](c)
	frame, err := c.AppendFrame(nil, &Text{S: "late"})
	if err != nil {
		t.Fatal(err)
	}
	m, n, err := d.Decode(frame)
	if tx, ok := m.(*Text); !ok || tx.S != "late" || n != len(frame) || err != nil {
		t.Fatalf("Decode = (%v, %d, %v)", m, n, err)
	}
}

// FuzzByteDecodeRun checks that decoding a stream as a Messenger does
// (DecodeRun, and DecodeUnchecked for the frame a run stops at, with one
// recover and Recovered after a panic) gives the messages and errors of
// the codec's Decode frame by frame, in the same order.
func FuzzByteDecodeRun(f *testing.F) {
	codectest.AddGoldenSeeds(f, "byte.golden", true, "")
	f.Add([]byte{18, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{4, 0x20, 1, 2, 3, 0x20, 1, 4, 0x20, 3, 4, 2, 0x7f, 18, 0x10})
	f.Add([]byte{3, 0x11, 'a', 4, 0x20, 1, 2, 0, 18, 0x10, 1})
	c := typedByteCodec()
	message.Register[Short](c)
	f.Fuzz(func(t *testing.T, data []byte) {
		want := decodeEach(c, data)
		got := decodeRuns(c.NewDecoder().(message.RunDecoder), data)
		if len(got) != len(want) {
			t.Fatalf("runs gave %d results, Decode %d:\n%q\n%q", len(got), len(want), got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("result %d: runs %q, Decode %q", i, got[i], want[i])
			}
		}
	})
}

// decodeEach decodes buf with c.Decode, frame by frame, into a list of
// results: each message as its frame, each error as its text.
func decodeEach(c *message.ByteCodec, buf []byte) []string {
	var out []string
	for len(buf) > 0 {
		m, n, err := c.Decode(buf)
		out = append(out, result(c, m, err))
		if n == 0 {
			break
		}
		buf = buf[n:]
	}
	return out
}

// decodeRuns decodes buf with runs of 3 messages at most, as a Messenger
// does, into the results decodeEach gives.
func decodeRuns(d message.RunDecoder, buf []byte) []string {
	c := typedByteCodec()
	message.Register[Short](c)
	var out []string
	run := make([]message.Message, 3)
	for len(buf) > 0 {
		var k, n int
		var stop bool
		func() {
			inRun := true
			defer func() {
				if r := recover(); r != nil {
					if inRun { // else the run's messages are in out already
						k, n = d.RunProgress()
						for _, m := range run[:k] {
							out = append(out, result(c, m, nil))
						}
						buf = buf[n:]
					}
					skip, err := d.Recovered(buf, r)
					out = append(out, result(c, nil, err))
					buf = buf[skip:]
				}
			}()
			k, n = d.DecodeRun(buf, run)
			inRun = false
			for _, m := range run[:k] {
				out = append(out, result(c, m, nil))
			}
			buf = buf[n:]
			if k == len(run) || len(buf) == 0 {
				return
			}
			m, skip, err := d.DecodeUnchecked(buf)
			out = append(out, result(c, m, err))
			if skip == 0 {
				stop = true
				return
			}
			buf = buf[skip:]
		}()
		if stop {
			break
		}
	}
	return out
}

func result(c *message.ByteCodec, m message.Message, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	if m == nil {
		return "nil"
	}
	f, err := c.AppendFrame(nil, m)
	return fmt.Sprintf("%x %v", f, err)
}

// AppendFrameUnchecked gives the frames and errors of AppendFrame, and
// lets a panic in AppendPayload out with dst's length unchanged.
func TestByteEncoderUnchecked(t *testing.T) {
	t.Parallel()
	c := typedByteCodec()
	message.Register[Bomb](c)
	e := c.NewEncoder().(message.UncheckedEncoder)
	var nilPos *Position
	msgs := []message.Message{
		&Position{ID: 1}, &Text{S: "a"}, &Bomb{}, &Position{ID: 2}, &Impostor{}, &message.MsgQuit{},
		&Text{S: string(make([]byte, 300))}, nilPos, &Position{ID: 3},
	}
	for i, m := range msgs {
		want, werr := c.AppendFrame([]byte("x"), m)
		got, gerr := e.AppendFrameUnchecked([]byte("x"), m)
		if !bytes.Equal(got, want) || (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("message %d (%T): unchecked (% x, %v), codec (% x, %v)", i, m, got, gerr, want, werr)
		}
	}
	dst := []byte("x")
	var out []byte
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("a panicking AppendPayload did not panic out of AppendFrameUnchecked")
			}
		}()
		out, _ = e.AppendFrameUnchecked(dst, &Bomb{Boom: true})
	}()
	if out != nil || len(dst) != 1 {
		t.Errorf("after the panic: out %q, dst %q", out, dst)
	}
	// The checked path still turns it into an error.
	if _, err := e.AppendFrame(dst, &Bomb{Boom: true}); !errors.Is(err, message.ErrBadPayload) {
		t.Errorf("AppendFrame of a panicking value = %v, want ErrBadPayload", err)
	}
}
