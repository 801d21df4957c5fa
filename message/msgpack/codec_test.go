package msgpack_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

func testMsgpackCodec(opts *message.Options) *msgpack.Codec {
	c := msgpack.NewCodec(opts)
	message.RegisterAll(c,
		func() message.Message { return new(Position) },
		func() message.Message { return new(Text) },
	)
	c.RegisterID(0x100, func() message.Message { return new(MsgStats) })
	c.RegisterID(0x101, func() message.Message { return new(Nested) })
	c.RegisterID(0x201, func() message.Message { return new(MapKeys) })
	c.Register(func() message.Message { return new(rawShort) })
	c.Register(func() message.Message { return new(rawLong) })
	return c
}

var msgpackGoldens = map[string]message.Message{
	"identify":     &message.MsgIdentify{Username: "pyuser", Hostname: "pyhost"},
	"join":         &message.MsgJoin{},
	"retry":        &message.MsgRetry{},
	"quit":         &message.MsgQuit{},
	"position":     &Position{ID: 7, X: 1.5, Y: -2, Z: 0.25},
	"position_big": &Position{ID: 123456, X: 1.5, Y: -20.25, Z: 300.125},
	"text":         &Text{S: strings.Repeat("x", 40)},
}

func TestGolden(t *testing.T) {
	t.Parallel()
	golden := codectest.ReadGolden(t, "msgpack.golden")
	if len(golden) != len(msgpackGoldens) {
		t.Fatalf("msgpack.golden has %d vectors, the test knows %d", len(golden), len(msgpackGoldens))
	}
	c := testMsgpackCodec(nil)
	for label, want := range msgpackGoldens {
		t.Run(label, func(t *testing.T) {
			frame := codectest.MustHex(t, golden[label])
			m, n, err := c.Decode(frame)
			if err != nil || n != len(frame) || !equalMsg(m, want) {
				t.Fatalf("Decode = (%#v, %d, %v), want (%#v, %d)", m, n, err, want, len(frame))
			}
			again, err := c.AppendFrame(nil, m)
			if err != nil || !bytes.Equal(again, frame) {
				t.Fatalf("re-encoded % x, golden % x (err %v)", again, frame, err)
			}
			codectest.CheckSplits(t, c, frame, want)
		})
	}
}

func TestRoundTripLarge(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(nil)
	for _, m := range []message.Message{
		&Text{S: strings.Repeat("long text ", 10000)}, // far beyond a byte frame
		&MsgStats{Host: "h\u00f6st-\u6f22\U0001F600", CPUPercent: 12.5, LoadAvg: [3]float64{0.52, 1, 100}, MemoryTotal: 16777216000},
		&Nested{Name: "n", Tags: []string{"a"}, Scores: map[string]int{"x": -1}, Raw: []any{int8(1), "two", 3.5}},
	} {
		frame, err := c.AppendFrame(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := c.Decode(frame)
		if err != nil || n != len(frame) {
			t.Fatalf("Decode: %d, %v", n, err)
		}
		again, _ := c.AppendFrame(nil, got)
		if !bytes.Equal(again, frame) {
			t.Fatalf("%T: re-encoded frame differs", m)
		}
	}
}

// mpFrame builds a msgpack frame by hand.
func mpFrame(id uint16, body ...byte) []byte {
	f := binary.BigEndian.AppendUint32(nil, uint32(6+len(body)))
	f = binary.BigEndian.AppendUint16(f, id)
	return append(f, body...)
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(&message.Options{MaxFrame: 1000})
	fatal := []struct {
		name string
		in   []byte
		want error
	}{
		{"length 0", []byte{0, 0, 0, 0, 0, 1}, message.ErrBadLength},
		{"length 5", []byte{0, 0, 0, 5, 0, 1, 0x80}, message.ErrBadLength},
		{"over MaxFrame", []byte{0, 0, 3, 233}, message.ErrTooLarge},
		{"4 GiB", []byte{0xff, 0xff, 0xff, 0xff}, message.ErrTooLarge},
	}
	for _, tt := range fatal {
		t.Run(tt.name, func(t *testing.T) {
			m, n, err := c.Decode(tt.in)
			var de *message.DecodeError
			if m != nil || n != 0 || !errors.Is(err, tt.want) || !errors.As(err, &de) || de.Recoverable() || de.Codec != "msgpack" {
				t.Fatalf("Decode = (%v, %d, %v), want fatal %v", m, n, err, tt.want)
			}
		})
	}
	// Exactly MaxFrame is allowed (and waits for its bytes).
	if m, n, err := c.Decode([]byte{0, 0, 3, 232, 0, 0x11}); m != nil || n != 0 || err != nil {
		t.Fatalf("MaxFrame prefix: (%v, %d, %v), want need-more", m, n, err)
	}
	skip := []struct {
		name string
		in   []byte
		want error
		typ  string
	}{
		{"unknown id", mpFrame(0x7777, 0x80), message.ErrUnknownType, "0x7777"},
		{"empty body", mpFrame(0x10), message.ErrMalformed, "0x0010"},
		{"truncated body", mpFrame(0x10, 0x84, 0xa2, 'i'), message.ErrMalformed, "0x0010"},
		{"two values", mpFrame(0x10, 0x80, 0x80), message.ErrMalformed, "0x0010"},
		{"reserved byte", mpFrame(0x10, 0xc1), message.ErrMalformed, "0x0010"},
		{"huge array header", mpFrame(0x101, 0x81, 0xa3, 'r', 'a', 'w', 0xdd, 0xff, 0xff, 0xff, 0xff), message.ErrMalformed, "0x0101"},
		{"huge map header", mpFrame(0x101, 0xdf, 0x7f, 0xff, 0xff, 0xff, 0xc0), message.ErrMalformed, "0x0101"},
		{"huge string header", mpFrame(0x11, 0x81, 0xa1, 's', 0xdb, 0x7f, 0xff, 0xff, 0xff), message.ErrMalformed, "0x0011"},
		{"announced element missing", mpFrame(0x101, bytes.Repeat([]byte{0x91}, 900)...), message.ErrMalformed, "0x0101"},
		{"wrong shape", mpFrame(0x10, 0x81, 0xa2, 'i', 'd', 0xa1, 'x'), message.ErrBadPayload, "0x0010"},
		{"array for struct", mpFrame(0x10, 0x91, 0x01), message.ErrBadPayload, "0x0010"},
		{"identify as int", mpFrame(0x01, 0x07), message.ErrBadPayload, "0x0001"},
	}
	for _, tt := range skip {
		t.Run(tt.name, func(t *testing.T) {
			m, n, err := c.Decode(tt.in)
			var de *message.DecodeError
			if m != nil || n != len(tt.in) || !errors.Is(err, tt.want) || !errors.As(err, &de) || !de.Recoverable() || de.Type != tt.typ {
				t.Fatalf("Decode = (%v, %d, %v), want (nil, %d, %v) with type %q", m, n, err, len(tt.in), tt.want, tt.typ)
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(nil)
	frame := mpFrame(0x101, append(bytes.Repeat([]byte{0x91}, 2000), 0xc0)...)
	if _, n, err := c.Decode(frame); !errors.Is(err, message.ErrMalformed) || n != len(frame) {
		t.Fatalf("2000 nested arrays: n=%d err=%v, want ErrMalformed", n, err)
	}
}

func TestEncodeLimits(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(&message.Options{MaxFrame: 100})
	out, err := c.AppendFrame([]byte("x"), &Text{S: strings.Repeat("a", 100)})
	if !errors.Is(err, message.ErrTooLarge) || string(out) != "x" {
		t.Fatalf("AppendFrame over MaxFrame = (%q, %v)", out, err)
	}
	frame, err := c.AppendFrame(nil, &Text{S: strings.Repeat("a", 100-6-1-2-2)})
	if err != nil || len(frame) != 100 {
		t.Fatalf("frame of exactly MaxFrame: %d bytes, %v", len(frame), err)
	}
	out, err = c.AppendFrame([]byte("x"), &WithAny{V: make(chan int)})
	if !errors.Is(err, message.ErrUnknownType) || string(out) != "x" {
		t.Fatalf("unregistered: (%q, %v)", out, err)
	}
	c.RegisterID(0x200, func() message.Message { return new(WithAny) })
	out, err = c.AppendFrame([]byte("x"), &WithAny{V: make(chan int)})
	if !errors.Is(err, message.ErrBadPayload) || string(out) != "x" {
		t.Fatalf("unencodable: (%q, %v)", out, err)
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	c := msgpack.NewCodec(nil)
	c.Register(func() message.Message { return new(Versioned) })
	frame, err := c.AppendFrame(nil, &Versioned{V: 5})
	if err != nil || !bytes.Equal(frame, mpFrame(0xBEEF, 0x81, 0xa1, 'v', 0x05)) {
		t.Fatalf("frame % x, %v", frame, err)
	}
	msg := codectest.PanicMessage(func() { c.RegisterID(0xBEEF, func() message.Message { return new(Text) }) })
	if !strings.Contains(msg, "0xbeef") {
		t.Fatalf("duplicate RegisterID: panic %q", msg)
	}
	msg = codectest.PanicMessage(func() { c.RegisterID(9, func() message.Message { return new(Versioned) }) })
	if !strings.Contains(msg, "already registered") {
		t.Fatalf("type registered twice: panic %q", msg)
	}
}

// TestMsgpackAllFormats sends every msgpack format through the body check
// and the library (in an `any` field), whole and cut short at every byte.
func TestAllFormats(t *testing.T) {
	t.Parallel()
	c := msgpack.NewCodec(nil)
	c.RegisterID(0x200, func() message.Message { return new(WithAny) })
	small := []any{
		nil, true, false, int8(-5), int8(-100), int16(-1000), int32(-100000), int64(-1 << 40),
		uint8(200), uint16(60000), uint32(1 << 31), uint64(1 << 63), float32(1.5), 2.5,
		"", "short", strings.Repeat("s", 40), strings.Repeat("s", 300), []byte{1, 2}, bytes.Repeat([]byte{3}, 300),
		[]any{1, "a"}, make([]any, 20), map[string]any{"k": 1}, map[string]any{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": 10, "k": 11, "l": 12, "m": 13, "n": 14, "o": 15, "p": 16},
		time.Unix(1700000000, 0).UTC(), time.Unix(1700000000, 5).UTC(),
	}
	big := []any{strings.Repeat("L", 70000), bytes.Repeat([]byte{4}, 70000), make([]any, 70000)}
	for _, v := range append(small, big...) {
		frame, err := c.AppendFrame(nil, &WithAny{V: v})
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if _, n, err := c.Decode(frame); err != nil || n != len(frame) {
			t.Fatalf("%T: decode: n=%d err=%v", v, n, err)
		}
	}
	frame, err := c.AppendFrame(nil, &WithAny{V: small})
	if err != nil {
		t.Fatal(err)
	}
	for cut := 6; cut < len(frame); cut++ {
		short := append([]byte(nil), frame[:cut]...)
		binary.BigEndian.PutUint32(short, uint32(cut)) // a whole frame with a short body
		if _, n, err := c.Decode(short); !errors.Is(err, message.ErrMalformed) || n != cut {
			t.Fatalf("body cut at %d: n=%d err=%v, want ErrMalformed", cut, n, err)
		}
	}
}

// Hooked has msgpack hooks that panic when Boom is set.
type Hooked struct {
	Boom bool
}

func (*Hooked) MessageName() string { return "Hooked" }

func (h *Hooked) EncodeMsgpack(enc *vmsgpack.Encoder) error {
	if h.Boom {
		panic("hooked: EncodeMsgpack")
	}
	return enc.EncodeBool(false)
}

func (h *Hooked) DecodeMsgpack(dec *vmsgpack.Decoder) error {
	v, err := dec.DecodeBool()
	if v {
		var p *Hooked
		_ = p.Boom // a nil dereference
	}
	return err
}

func TestPanicContained(t *testing.T) {
	t.Parallel()
	c := msgpack.NewCodec(nil)
	c.RegisterID(0x200, func() message.Message { return new(Hooked) })
	codectest.CheckPanicSkipped(t, c, mpFrame(0x200, 0xc3), "*msgpack_test.Hooked")
	codectest.CheckEncodePanic(t, c, &Hooked{Boom: true}, &Hooked{})

	g := msgpack.NewCodec(nil)
	newGrumpy := codectest.FactoryOnce[Grumpy]()
	g.Register(func() message.Message { return newGrumpy() })
	codectest.CheckPanicSkipped(t, g, mpFrame(0x22, 0x80), "*msgpack_test.Grumpy")
}

// MapKeys has the maps whose order the msgpack library leaves to Go.
type MapKeys struct {
	Ints   map[int16]string     `msgpack:"ints"`
	Scores map[string]int       `msgpack:"scores"`
	Nested map[string][]MapKeys `msgpack:"nested"`
	Any    any                  `msgpack:"any"`
}

func (*MapKeys) MessageName() string { return "MapKeys" }

func TestMapOrder(t *testing.T) {
	t.Parallel()
	c := testMsgpackCodec(nil)
	scores := make(map[string]int)
	for i := range 20 {
		scores[fmt.Sprintf("k%02d", i)] = i
	}
	m := &MapKeys{
		Ints:   map[int16]string{-300: "a", -1: "b", 0: "c", 5: "d", 200: "e", 32767: "f", -32768: "g"},
		Scores: scores,
		Nested: map[string][]MapKeys{"z": {{Scores: scores}}, "y": nil, "x": {{Ints: map[int16]string{2: "m", 1: "l"}}}},
		Any:    []any{map[string]uint64{"q": 1 << 63, "p": 1, "s": 1 << 40, "r": 7}},
	}
	first, err := c.AppendFrame(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, err := c.AppendFrame(nil, m)
		if err != nil || !bytes.Equal(again, first) {
			t.Fatalf("the same value encoded to\n% x\n% x (err %v)", first, again, err)
		}
	}
	// Keys in increasing order: their values appear in the frame in order.
	inOrder := func(what string, keys ...string) {
		t.Helper()
		last := -1
		for _, k := range keys {
			i := bytes.Index(first[last+1:], []byte(k))
			if i < 0 {
				t.Fatalf("%s: %q not found after offset %d of % x", what, k, last, first)
			}
			last += 1 + i
		}
	}
	inOrder("int keys", "\xa1g", "\xa1a", "\xa1b", "\xa1c", "\xa1d", "\xa1e", "\xa1f")
	var ks []string
	for i := range 20 {
		ks = append(ks, fmt.Sprintf("k%02d", i))
	}
	inOrder("string keys", ks...)
	inOrder("nested keys", "\xa1x", "\xa1l", "\xa1m", "\xa1y", "\xa1z")
	inOrder("keys in an any", "\xa1p", "\xa1q", "\xa1r", "\xa1s")
	inOrder("struct fields", "\xa3any", "\xa4ints", "\xa6nested", "\xa6scores")
	got, _, err := c.Decode(first)
	if err != nil {
		t.Fatal(err)
	}
	// The decoded value (Any now holds a map[string]any) re-encodes to the
	// same frame.
	if again, err := c.AppendFrame(nil, got); err != nil || !bytes.Equal(again, first) {
		t.Fatalf("decoded and re-encoded:\n% x\n% x (err %v)", first, again, err)
	}
}
