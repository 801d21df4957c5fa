package message_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

func FuzzByteDecode(f *testing.F) {
	codectest.AddGoldenSeeds(f, "byte.golden", true, "")
	f.Add([]byte{0})
	f.Add([]byte{1, 2, 2})
	f.Add([]byte{3, 0x7f, 0, 2, 4})
	f.Add([]byte{4, 1, 'a', 'b', 2, 3})
	f.Add([]byte{17, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	// Every type here encodes what it decodes (testByteCodec's Failing
	// does not, on purpose).
	c := message.NewByteCodec(nil)
	c.Register(newPosition)
	c.Register(newText)
	f.Fuzz(func(t *testing.T, data []byte) {
		buf := data
		for len(buf) > 0 {
			m, n, err := c.Decode(buf)
			if err != nil || n == 0 {
				break
			}
			// The byte codec is canonical: a frame it accepts re-encodes
			// to the very same bytes.
			frame, err := c.AppendFrame(nil, m)
			if err != nil || !bytes.Equal(frame, buf[:n]) {
				t.Fatalf("frame % x re-encoded to % x (err %v)", buf[:n], frame, err)
			}
			buf = buf[n:]
		}
		codectest.DecodeStream(t, c, data)
	})
}

func fuzzJSONCodec() *message.JSONCodec { return richJSONCodec(&message.Options{MaxFrame: 4096}) }

// richJSONCodec is testJSONCodec with the Rich and WithAny types too.
func richJSONCodec(opts *message.Options) *message.JSONCodec {
	c := testJSONCodec(opts)
	c.Register(func() message.Message { return new(Rich) })
	c.Register(func() message.Message { return new(WithAny) })
	return c
}

func FuzzJSONDecode(f *testing.F) {
	codectest.AddGoldenSeeds(f, "json.golden", false, "\n")
	for _, line := range []string{
		"", "\n", "[\n", `["Nope",{}]` + "\n", `["Text",{"s":"\ud83d\ude00\u00e9"}]` + "\n",
		`["Rich",{"seq":1,"note":"n","temp":"3C","counts":{"1":2},"names":{"a":{"seq":2}},"blob":"AAE=","any":[1,{"x":null}],"when":"2024-01-02T03:04:05Z"}]` + "\n",
		`["WithAny",{"v":[1,-2.5e-3,"x",true,null,{"k":NaN}]}]` + "\n",
		`["Position",{"id":1,"x":Infinity,"y":-Infinity,"z":NaN}]` + "\n" + `["MsgQuit",{}]` + "\n",
		"[\"Text\",{\"s\":\"\xff\"}]\n",
	} {
		f.Add([]byte(line))
	}
	c := fuzzJSONCodec()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range codectest.DecodeStream(t, c, data) {
			codectest.CheckReencode(t, c, m)
		}
		checkDecodeFrom(t, c, data)
	})
}

// checkDecodeFrom checks that DecodeFrom, told that a prefix without a
// newline was already scanned, gives what Decode gives.
func checkDecodeFrom(t *testing.T, c *message.JSONCodec, data []byte) {
	t.Helper()
	wantM, wantN, wantErr := c.Decode(data)
	end := bytes.IndexByte(data, '\n')
	if end < 0 {
		end = len(data)
	}
	for _, from := range []int{end, end / 2, 1} {
		if from > end {
			continue
		}
		m, n, err := c.DecodeFrom(data, from)
		if n != wantN || !sameMessage(c, m, wantM) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("DecodeFrom(data, %d) = (%v, %d, %v), Decode = (%v, %d, %v)", from, m, n, err, wantM, wantN, wantErr)
		}
	}
}

// sameMessage compares two decoded messages by their frames (NaN fields
// make reflect.DeepEqual useless).
func sameMessage(c message.Codec, a, b message.Message) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	fa, errA := c.AppendFrame(nil, a)
	fb, errB := c.AppendFrame(nil, b)
	return bytes.Equal(fa, fb) && fmt.Sprint(errA) == fmt.Sprint(errB)
}
