package message_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

func TestJSONDecodeErrors(t *testing.T) {
	t.Parallel()
	c := richJSONCodec(nil)
	tests := []struct {
		name string
		line string // a newline is added
		want error
		typ  string
	}{
		{"empty line", "", message.ErrMalformed, ""},
		{"not JSON", "hello", message.ErrMalformed, ""},
		{"unknown name", `["Nope",{}]`, message.ErrUnknownType, `"Nope"`},
		{"name not a string", `[1,{}]`, message.ErrMalformed, ""},
		{"object not array", `{"MsgJoin":{}}`, message.ErrMalformed, ""},
		{"missing object", `["MsgJoin"]`, message.ErrMalformed, "MsgJoin"},
		{"null object", `["MsgJoin",null]`, message.ErrMalformed, "MsgJoin"},
		{"array for object", `["MsgJoin",[]]`, message.ErrMalformed, "MsgJoin"},
		{"third element", `["MsgJoin",{},1]`, message.ErrMalformed, "MsgJoin"},
		{"trailing garbage", `["MsgJoin",{}]x`, message.ErrMalformed, "MsgJoin"},
		{"two values", `["MsgJoin",{}] ["MsgJoin",{}]`, message.ErrMalformed, "MsgJoin"},
		{"unterminated", `["MsgJoin",{`, message.ErrMalformed, "MsgJoin"},
		{"trailing comma", `["MsgJoin",{},]`, message.ErrMalformed, "MsgJoin"},
		{"string for int", `["Position",{"id":"7"}]`, message.ErrMalformed, "Position"},
		{"float for int", `["Position",{"id":7.0}]`, message.ErrMalformed, "Position"},
		{"negative for uint", `["Position",{"id":-1}]`, message.ErrMalformed, "Position"},
		{"uint32 overflow", `["Position",{"id":4294967296}]`, message.ErrMalformed, "Position"},
		{"huge int", `["Position",{"id":123456789012345678901234567890}]`, message.ErrMalformed, "Position"},
		{"float32 overflow", `["Position",{"x":1e39}]`, message.ErrMalformed, "Position"},
		{"bad number", `["Position",{"x":01}]`, message.ErrMalformed, "Position"},
		{"bad number 2", `["Position",{"x":1.}]`, message.ErrMalformed, "Position"},
		{"bad number 3", `["Position",{"x":-}]`, message.ErrMalformed, "Position"},
		{"-NaN", `["Position",{"x":-NaN}]`, message.ErrMalformed, "Position"},
		{"bool for string", `["Text",{"s":true}]`, message.ErrMalformed, "Text"},
		{"bad escape", `["Text",{"s":"\x"}]`, message.ErrMalformed, "Text"},
		{"short unicode escape", `["Text",{"s":"\u12"}]`, message.ErrMalformed, "Text"},
		{"raw control char", "[\"Text\",{\"s\":\"a\x01b\"}]", message.ErrMalformed, "Text"},
		{"invalid UTF-8", "[\"Text\",{\"s\":\"\xff\"}]", message.ErrMalformed, ""},
		{"invalid UTF-8 in unknown field", "[\"Text\",{\"q\":\"\xc3\"}]", message.ErrMalformed, ""},
		{"bad unknown field", `["Text",{"q":[1,}]`, message.ErrMalformed, "Text"},
		{"bad literal", `["Text",{"q":nul}]`, message.ErrMalformed, "Text"},
		{"string for array", `["MsgStats",{"load_avg":"x"}]`, message.ErrMalformed, "MsgStats"},
		{"object for any slice", `["Nested",{"raw":{}}]`, message.ErrMalformed, "Nested"},
		{"bad map value", `["Nested",{"scores":{"a":"b"}}]`, message.ErrMalformed, "Nested"},
		{"bad base64", `["Rich",{"blob":"!!"}]`, message.ErrMalformed, "Rich"},
		{"number for bytes", `["Rich",{"blob":1}]`, message.ErrMalformed, "Rich"},
		{"string for bool", `["Rich",{"fixed":["true"]}]`, message.ErrMalformed, "Rich"},
		{"bad true", `["Rich",{"fixed":[tru]}]`, message.ErrMalformed, "Rich"},
		{"bad int map key", `["Rich",{"counts":{"x":1}}]`, message.ErrMalformed, "Rich"},
		{"int map key overflow", `["Rich",{"counts":{"99999999999999999999":1}}]`, message.ErrMalformed, "Rich"},
		{"uint8 value overflow", `["Rich",{"counts":{"1":256}}]`, message.ErrMalformed, "Rich"},
		{"int8 overflow", `["Rich",{"Plain":-129}]`, message.ErrMalformed, "Rich"},
		{"string for map", `["Rich",{"names":"x"}]`, message.ErrMalformed, "Rich"},
		{"map key not string", `["Rich",{"names":{1:2}}]`, message.ErrMalformed, "Rich"},
		{"missing colon", `["Rich",{"names" 1}]`, message.ErrMalformed, "Rich"},
		{"bad any", `["WithAny",{"v":[1,2}]`, message.ErrMalformed, "WithAny"},
		{"bad any object", `["WithAny",{"v":{"a" 1}}]`, message.ErrMalformed, "WithAny"},
		{"bad any literal", `["WithAny",{"v":fals}]`, message.ErrMalformed, "WithAny"},
		{"bad time", `["Rich",{"when":"yesterday"}]`, message.ErrBadPayload, "Rich"},
		{"deep nesting", `["Nested",{"raw":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}]`, message.ErrMalformed, "Nested"},
		{"deep unknown field", `["Nested",{"q":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}]`, message.ErrMalformed, "Nested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line + "\n")
			m, n, err := c.Decode(line)
			if m != nil || !errors.Is(err, tt.want) || n != len(line) {
				t.Fatalf("Decode(%q) = (%v, %d, %v), want (nil, %d, %v)", tt.line, m, n, err, len(line), tt.want)
			}
			var de *message.DecodeError
			if !errors.As(err, &de) || de.Codec != "json" || de.Skip != len(line) || !de.Recoverable() || de.Type != tt.typ {
				t.Fatalf("DecodeError = %+v, want a recoverable json error with type %q", de, tt.typ)
			}
			if de.Offset < 0 || de.Offset > len(line) {
				t.Fatalf("offset %d outside the line", de.Offset)
			}
			// The stream goes on after the bad line.
			stream := append(line, `["MsgQuit",{}]`+"\n"...)
			m, n2, err := c.Decode(stream[n:])
			if err != nil || !equalMsg(m, &message.MsgQuit{}) || n2 != len(stream)-n {
				t.Fatalf("after the bad line: (%v, %d, %v)", m, n2, err)
			}
		})
	}
}

func TestJSONAccepts(t *testing.T) {
	t.Parallel()
	c := richJSONCodec(nil)
	tests := []struct {
		name string
		line string
		want message.Message
	}{
		{"spaces", ` [ "Position" , { "id" : 7 , "x" : 1.5 } ] `, &Position{ID: 7, X: 1.5}},
		{"CRLF", "[\"MsgJoin\",{}]\r", &message.MsgJoin{}},
		{"unknown fields", `["Position",{"a":[1,{"b":null}],"id":3,"zz":"\u00e9"}]`, &Position{ID: 3}},
		{"field order", `["Position",{"z":3,"y":2,"x":1,"id":9}]`, &Position{ID: 9, X: 1, Y: 2, Z: 3}},
		{"case-insensitive", `["Position",{"ID":9}]`, &Position{ID: 9}},
		{"exponent", `["Position",{"x":1E2,"y":-2.5e-1,"z":0}]`, &Position{X: 100, Y: -0.25}},
		{"null leaves zero", `["Position",{"id":null,"x":null}]`, &Position{}},
		{"escaped name", `["\u004dsgQuit",{}]`, &message.MsgQuit{}},
		{"escaped key", `["Text",{"\u0073":"\ud83d\ude00 \u00e9\/"}]`, &Text{S: "\U0001F600 é/"}},
		{"lone surrogate", `["Text",{"s":"\ud800x"}]`, &Text{S: "\ufffdx"}},
		{"int as float field", `["Position",{"x":16777216}]`, &Position{X: 16777216}},
		{"many digits", `["Position",{"x":0.30000000000000004441}]`, &Position{X: 0.3}},
		{"arrays and maps", `["Rich",{"fixed":[true,true,true],"counts":{"-5":255},"names":{"\u0061":{"seq":-1}},"blob":null,"list":[1,2,3,4,5,6,7,8,9],"any":{"a":[{}],"\u00e9":"\n"}}]`,
			&Rich{Fixed: [2]bool{true, true}, Counts: map[int]uint8{-5: 255}, Names: map[string]*Base{"a": {Seq: -1}},
				List: []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, Any: map[string]any{"a": []any{map[string]any{}}, "é": "\n"}}},
		{"nulls", `["Rich",{"names":null,"list":null,"any":null,"fixed":null,"Plain":null,"opt":null}]`, &Rich{}},
		{"python ints in any", `["Nested",{"raw":[12345678901234567890,-9223372036854775808,1.5e300]}]`,
			&Nested{Raw: []any{1.2345678901234567e19, int64(-9223372036854775808), 1.5e300}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := c.Decode([]byte(tt.line + "\n"))
			if err != nil || !equalMsg(m, tt.want) {
				t.Fatalf("Decode(%q) = %#v, %v; want %#v", tt.line, m, err, tt.want)
			}
		})
	}
}

func TestJSONMaxFrame(t *testing.T) {
	t.Parallel()
	const max = 64
	c := testJSONCodec(&message.Options{MaxFrame: max})
	// A line of exactly max bytes, newline included, is fine.
	fill := strings.Repeat("a", max-len(`["Text",{"s":""}]`+"\n"))
	line, err := c.AppendFrame(nil, &Text{S: fill})
	if err != nil || len(line) != max {
		t.Fatalf("line of %d bytes: %v", len(line), err)
	}
	if m, n, err := c.Decode(line); err != nil || n != max || m.(*Text).S != fill {
		t.Fatalf("Decode of a max line: (%v, %d, %v)", m, n, err)
	}
	// One more byte is refused at encode, leaving dst alone.
	out, err := c.AppendFrame([]byte("x"), &Text{S: fill + "a"})
	if !errors.Is(err, message.ErrTooLarge) || string(out) != "x" {
		t.Fatalf("AppendFrame of a too long line = (%q, %v)", out, err)
	}
	// On decode: max-1 bytes without a newline still wait for more, max
	// bytes without one are fatal at once, whatever follows.
	long := []byte(strings.Repeat("b", 10*max) + "\n")
	if m, n, err := c.Decode(long[:max-1]); m != nil || n != 0 || err != nil {
		t.Fatalf("Decode of %d bytes = (%v, %d, %v), want need-more", max-1, m, n, err)
	}
	for _, size := range []int{max, max + 1, len(long)} {
		m, n, err := c.Decode(long[:size])
		var de *message.DecodeError
		if m != nil || n != 0 || !errors.Is(err, message.ErrTooLarge) || !errors.As(err, &de) || de.Recoverable() {
			t.Fatalf("Decode of %d bytes without a newline in the first %d = (%v, %d, %v), want fatal ErrTooLarge", size, max, m, n, err)
		}
	}
	// The default is 1 MiB.
	d := message.NewJSONCodec(nil)
	big := make([]byte, message.DefaultMaxFrame)
	if _, _, err := d.Decode(big[:len(big)-1]); err != nil {
		t.Fatalf("default: %d bytes: %v", len(big)-1, err)
	}
	if _, _, err := d.Decode(big); !errors.Is(err, message.ErrTooLarge) {
		t.Fatalf("default: %d bytes: %v, want ErrTooLarge", len(big), err)
	}
}
