package message_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/internal/codectest"
)

// Celsius hooks its own JSON: a string like "21.5C".
type Celsius float64

func (c Celsius) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatFloat(float64(c), 'f', -1, 64) + "C")
}

func (c *Celsius) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, ok := strings.CutSuffix(s, "C")
	if !ok {
		return errNotCelsius
	}
	var f float64
	if err := json.Unmarshal([]byte(v), &f); err != nil {
		return err
	}
	*c = Celsius(f)
	return nil
}

var errNotCelsius = errors.New("not a Celsius value")

type Base struct {
	Seq  int    `json:"seq"`
	From string `json:"from,omitempty"`
}

type Extra struct {
	Note string `json:"note"`
}

// Rich exercises the struct mapping.
type Rich struct {
	Base
	*Extra
	Temp    Celsius          `json:"temp"`
	Hidden  string           `json:"-"`
	private int              //nolint:unused // unexported: never on the wire
	Dash    int              `json:"-,"`
	Opt     *int             `json:"opt,omitempty"`
	Counts  map[int]uint8    `json:"counts"`
	Names   map[string]*Base `json:"names"`
	Blob    []byte           `json:"blob"`
	List    []int            `json:"list"`
	Any     any              `json:"any"`
	When    time.Time        `json:"when"`
	Fixed   [2]bool          `json:"fixed"`
	Renamed string           `json:"renamed_field"`
	Plain   int8
}

func (*Rich) MessageName() string { return "Rich" }

func TestJSONStructMapping(t *testing.T) {
	t.Parallel()
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(Rich) })
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	in := &Rich{
		Base: Base{Seq: 3}, Extra: &Extra{Note: "ü"}, Temp: 21.5, Hidden: "h", Dash: 4,
		Counts: map[int]uint8{10: 1, -2: 2, 3: 3}, Names: map[string]*Base{"b": {Seq: 1, From: "x"}, "a": nil},
		Blob: []byte{0, 1, 2, 250}, Any: map[string]any{"k": []any{1.5, "s", nil, true}},
		When: when, Fixed: [2]bool{true, false}, Renamed: "r", Plain: -8,
	}
	want := `["Rich",{"seq":3,"note":"\u00fc","temp":"21.5C","-":4,"counts":{"-2":2,"10":1,"3":3},` +
		`"names":{"a":null,"b":{"seq":1,"from":"x"}},"blob":"AAEC+g==","list":[],"any":{"k":[1.5,"s",null,true]},` +
		`"when":"2024-05-06T07:08:09Z","fixed":[true,false],"renamed_field":"r","Plain":-8}]` + "\n"
	line, err := c.AppendFrame(nil, in)
	if err != nil || string(line) != want {
		t.Fatalf("AppendFrame:\n got %s\nwant %s(err %v)", line, want, err)
	}
	m, _, err := c.Decode(line)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*Rich)
	again, err := c.AppendFrame(nil, got)
	if err != nil || string(again) != want {
		t.Fatalf("re-encoded:\n got %s\nwant %s(err %v)", again, want, err)
	}
	if got.Hidden != "" || got.Extra == nil || got.Extra.Note != "ü" || got.Temp != 21.5 || !got.When.Equal(when) || got.Names["a"] != nil {
		t.Fatalf("decoded %+v", got)
	}
	// A nil embedded pointer hides its fields; omitempty drops empty ones.
	line, _ = c.AppendFrame(nil, &Rich{Opt: new(int)})
	if !strings.HasPrefix(string(line), `["Rich",{"seq":0,"temp":"0C","-":0,"opt":0,"counts":{},"names":{},"blob":"","list":[],"any":null,`) {
		t.Fatalf("zero Rich: %s", line)
	}
	// An UnmarshalJSON error rejects the frame as a bad payload.
	_, n, err := c.Decode([]byte(`["Rich",{"temp":"hot"}]` + "\n"))
	if !errors.Is(err, message.ErrBadPayload) || !errors.Is(err, errNotCelsius) || n == 0 {
		t.Fatalf("bad Celsius: n=%d err=%v", n, err)
	}
}

// Raw is a message that writes its own object.
type Raw struct{ body string }

func (*Raw) MessageName() string            { return "Raw" }
func (r *Raw) MarshalJSON() ([]byte, error) { return []byte(r.body), nil }
func (r *Raw) UnmarshalJSON(b []byte) error { r.body = string(b); return nil }

func TestJSONMessageMarshaler(t *testing.T) {
	t.Parallel()
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(Raw) })
	line, err := c.AppendFrame(nil, &Raw{body: "{ \"a\" : \"é\\u00e9\" ,\n \"b\":[1, 2] }"})
	want := `["Raw",{"a":"\u00e9\u00e9","b":[1,2]}]` + "\n"
	if err != nil || string(line) != want {
		t.Fatalf("got %q (%v), want %q", line, err, want)
	}
	m, _, err := c.Decode(line)
	if err != nil || m.(*Raw).body != `{"a":"\u00e9\u00e9","b":[1,2]}` {
		t.Fatalf("decoded %#v, %v", m, err)
	}
	for _, body := range []string{"[1]", "not json", ""} {
		out, err := c.AppendFrame([]byte("x"), &Raw{body: body})
		if !errors.Is(err, message.ErrBadPayload) || string(out) != "x" {
			t.Fatalf("MarshalJSON %q: (%q, %v), want ErrBadPayload", body, out, err)
		}
	}
}

type Cyclic struct {
	Next *Cyclic `json:"next"`
}

func (*Cyclic) MessageName() string { return "Cyclic" }

type WithAny struct {
	V any `json:"v"`
}

func (*WithAny) MessageName() string { return "WithAny" }

func TestJSONEncodeErrors(t *testing.T) {
	t.Parallel()
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(Cyclic) })
	c.Register(func() message.Message { return new(WithAny) })
	loop := &Cyclic{}
	loop.Next = loop
	tests := []struct {
		name string
		m    message.Message
	}{
		{"cycle", loop},
		{"channel in any", &WithAny{V: make(chan int)}},
		{"func in any", &WithAny{V: func() {}}},
		{"nil message", (*WithAny)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.AppendFrame([]byte("x"), tt.m)
			var ee *message.EncodeError
			if !errors.Is(err, message.ErrBadPayload) || !errors.As(err, &ee) || ee.Codec != "json" || string(out) != "x" {
				t.Fatalf("AppendFrame = (%q, %v), want ErrBadPayload and dst unchanged", out, err)
			}
		})
	}
	// A deep but finite chain is fine.
	deep := &Cyclic{}
	for range 100 {
		deep = &Cyclic{Next: deep}
	}
	if _, err := c.AppendFrame(nil, deep); err != nil {
		t.Fatal(err)
	}
}

type badChan struct{ C chan int }

func (*badChan) MessageName() string { return "badChan" }

type badString struct {
	N int `json:"n,string"`
}

func (*badString) MessageName() string { return "badString" }

type badMapKey struct{ M map[float64]int }

func (*badMapKey) MessageName() string { return "badMapKey" }

type notStruct int

func (*notStruct) MessageName() string { return "notStruct" }

type valueMsg struct{}

func (valueMsg) MessageName() string { return "valueMsg" }

func TestJSONRegisterPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func() message.Message
		want string
	}{
		{"chan field", func() message.Message { return new(badChan) }, "chan"},
		{",string option", func() message.Message { return new(badString) }, `",string"`},
		{"float map key", func() message.Message { return new(badMapKey) }, "map key"},
		{"not a struct", func() message.Message { return new(notStruct) }, "neither"},
		{"not a pointer", func() message.Message { return valueMsg{} }, "neither"},
		{"duplicate type", func() message.Message { return new(message.MsgJoin) }, "already registered"},
		{"nil value", func() message.Message { return nil }, "returned nil"},
		{"typed nil", func() message.Message { return (*Position)(nil) }, "returned a nil"},
		{"nil factory", nil, "nil factory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := message.NewJSONCodec(nil)
			msg := codectest.PanicMessage(func() { c.Register(tt.f) })
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q, want it to mention %q", msg, tt.want)
			}
		})
	}
}
