package message_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cablecar-go/cablecar/message"
)

// Keys is a test message whose JSON names take the decoder's different key
// paths: short and long plain names, names that need escapes, and names
// that differ only in case.
type Keys struct {
	A      int     `json:"a"`
	Eight  int     `json:"eightxxx"`
	Long   float64 `json:"a_rather_long_field_name"`
	Accent string  `json:"é"`
	Quote  int     `json:"a\"b"`
	Upper  int     `json:"Name"`
	Lower  int     `json:"name"`
	F32    float32 `json:"f32"`
	U8     uint8   `json:"u8"`
	I16    int16   `json:"i16"`
}

func (*Keys) MessageName() string { return "Keys" }

func TestJSONDecodeKeyPaths(t *testing.T) {
	t.Parallel()
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(Keys) })
	full := &Keys{A: 1, Eight: 2, Long: 2.5, Accent: "é", Quote: 4, Upper: 5, Lower: 6, F32: 0.1, U8: 255, I16: -32768}
	frame, err := c.AppendFrame(nil, full)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		line string
		want *Keys
	}{
		{"as encoded", strings.TrimSuffix(string(frame), "\n"), full},
		{"reversed", `["Keys",{"i16":-1,"u8":1,"f32":1.5,"name":6,"Name":5,"a\"b":4,"\u00e9":"x","a_rather_long_field_name":1,"eightxxx":2,"a":1}]`,
			&Keys{A: 1, Eight: 2, Long: 1, Accent: "x", Quote: 4, Upper: 5, Lower: 6, F32: 1.5, U8: 1, I16: -1}},
		{"escaped plain key", `["Keys",{"\u0061":3,"eightxx\u0078":4}]`, &Keys{A: 3, Eight: 4}},
		{"case-insensitive", `["Keys",{"A":3,"EIGHTXXX":4,"NAME":7,"A\"B":8,"É":"y"}]`, &Keys{A: 3, Eight: 4, Upper: 7, Quote: 8, Accent: "y"}},
		{"spaces", `["Keys", { "a" : 1 , "eightxxx" :2,"u8"  :  3 } ]`, &Keys{A: 1, Eight: 2, U8: 3}},
		{"key prefix of another", `["Keys",{"ab":1,"eightxxxx":2,"eightxx":3}]`, &Keys{}},
		{"slow numbers", `["Keys",{"f32":1e2,"a_rather_long_field_name":-0.3000000000000000000001,"a":null}]`, &Keys{F32: 100, Long: -0.3}},
		{"non-ASCII in strings", `["Keys",{"é":"\u00e9 é €𝄞","zz":"ü"}]`, &Keys{Accent: "é é €𝄞"}},
	}
	for _, tt := range tests {
		line := []byte(tt.line + "\n")
		m, n, err := c.Decode(line)
		if err != nil || n != len(line) || !equalMsg(m, tt.want) {
			t.Errorf("%s: Decode(%q) = (%+v, %d, %v), want %+v", tt.name, tt.line, m, n, err, tt.want)
		}
	}
	// Lines cut short at every byte, after a key especially, are errors.
	for k := range len(frame) - 1 {
		line := append(frame[:k:k], '\n')
		if m, n, err := c.Decode(line); !errors.Is(err, message.ErrMalformed) || n != len(line) || m != nil {
			t.Errorf("Decode(%q) = (%v, %d, %v), want ErrMalformed", line, m, n, err)
		}
	}
}

// TestJSONDecodeInvalidUTF8 checks that invalid UTF-8 anywhere in a line is
// reported as such, at its first invalid byte and with no type name,
// whatever else is wrong with the line, and that valid non-ASCII text
// outside strings is a JSON error.
func TestJSONDecodeInvalidUTF8(t *testing.T) {
	t.Parallel()
	c := richJSONCodec(nil)
	for _, line := range []string{
		"[\"Text\",{\"s\":\"ok\"}]\xff",
		"[\"Text\",{\"s\":\"ok\"},]\xc3",
		"[\"Te\xffxt\",{}]",
		"[\"Nope\xe9\",{}]",
		"[\"Text\",{\"\xed\xa0\x80\":1}]",
		"[\"Text\",{\"s\":\"\xef\xbf\xbd\xf4\x90\x80\x80\"}]",
		"[\"Text\",{\"s\":\"\xe2\x82\"}]",
		"[\"Rich\",{\"when\":\"2024-01-02T03:04:05Z\",\"note\":\"\xc0\xaf\"}]",
		"[\"Rich\",{\"any\":[1,\"\xf8\"]}]",
		"\xff[\"Text\",{}]",
	} {
		m, n, err := c.Decode([]byte(line + "\n"))
		var de *message.DecodeError
		if m != nil || n != len(line)+1 || !errors.As(err, &de) || !errors.Is(err, message.ErrMalformed) {
			t.Fatalf("Decode(%q) = (%v, %d, %v), want ErrMalformed", line, m, n, err)
		}
		want := 0
		for want < len(line) {
			r, size := utf8.DecodeRuneInString(line[want:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			want += size
		}
		if de.Type != "" || de.Offset != want || !strings.Contains(de.Error(), "invalid UTF-8") {
			t.Errorf("Decode(%q): %+v, want invalid UTF-8 at offset %d with no type", line, de, want)
		}
	}
	line := "[\"Text\",{\"s\":\"é\"}]é\n"
	_, _, err := c.Decode([]byte(line))
	var de *message.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, message.ErrMalformed) || de.Type != "Text" || de.Offset != len(line)-3 || strings.Contains(de.Error(), "UTF-8") {
		t.Errorf("Decode(%q) = %v, want an ErrMalformed for Text at offset %d", line, err, len(line)-3)
	}
}
