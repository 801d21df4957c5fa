package replica

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"unsafe"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
)

type player struct {
	Name     string
	Score    int32
	Alive    bool
	Pos      struct{ X, Y float32 }
	Tags     []string
	Inv      map[string]int
	Password string `replica:"-"`
	HP       uint8  `replica:"20"`
}

type entity struct {
	Name string
	X, Y float32
}

// world is Colyseus's benchmark state: 100 entities of {Name, X, Y}.
type world struct{ Entities [100]entity }

func ptrOf[T any](v *T) unsafe.Pointer { return unsafe.Pointer(v) }

func mustSchema[T any](t testing.TB) *schema {
	t.Helper()
	s, err := schemaOf(typeOf[T]())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchemaNumbers(t *testing.T) {
	s := mustSchema[player](t)
	want := map[string]int{"Name": 0, "Score": 1, "Alive": 2, "Pos.X": 3, "Pos.Y": 4, "Tags": 5, "Inv": 6, "HP": 20}
	if len(s.leaves) != len(want) {
		t.Fatalf("%d leaves, want %d", len(s.leaves), len(want))
	}
	for path, num := range want {
		if i, ok := s.byPath[path]; !ok || s.leaves[i].num != num {
			t.Errorf("%s: number %v, want %d", path, s.leaves[i].num, num)
		}
	}
	if _, ok := s.byPath["Password"]; ok {
		t.Error("the local-only Password is a field")
	}
	w := mustSchema[world](t)
	if len(w.leaves) != 300 || w.byPath["Entities[99].Y"] != 299 {
		t.Fatalf("world: %d leaves", len(w.leaves))
	}
	for _, bad := range []any{struct{ P *int }{}, struct{ C chan int }{}, struct {
		A int `replica:"x"`
	}{}, struct{ F []any }{}} {
		if _, err := schemaOf(reflectTypeOf(bad)); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%T: %v, want ErrUnsupported", bad, err)
		}
	}
}

func TestDeltaRoundTrip(t *testing.T) {
	s := mustSchema[player](t)
	a := player{Name: "ann", Score: -3, Tags: []string{"x"}, Inv: map[string]int{"gold": 2, "axe": 1}, Password: "secret", HP: 100}
	sh := newShadow(s, ptrOf(&a))
	b := a
	b.Score, b.Pos.X, b.Inv = 7, 1.5, map[string]int{"gold": 3}
	b.Password = "other"
	f := newFields(s)
	if !sh.diff(ptrOf(&b), &f) {
		t.Fatal("no change found")
	}
	if got := fmt.Sprint(f.Paths()); got != "[Score Pos.X Inv]" {
		t.Fatalf("changed %s", got)
	}
	frame := appendDelta(nil, s, 1, 9, f, ptrOf(&b))
	got := a
	got.Password = "mine"
	g := newFields(s)
	r := reader{p: frame[1:]}
	h := r.readDeltaHeader()
	r.readDeltaBody(s, &g, ptrOf(&got))
	if r.err != nil || h.seq != 9 || h.handle != 1 {
		t.Fatalf("decode: %v %+v", r.err, h)
	}
	if got.Score != 7 || got.Pos.X != 1.5 || got.Inv["gold"] != 3 || len(got.Inv) != 1 || got.Password != "mine" {
		t.Fatalf("got %+v", got)
	}
	if sh.diff(ptrOf(&b), &f) {
		t.Fatal("a second diff found a change")
	}
	b.Tags[0] = "y" // in place: found through the encoding
	if !sh.diff(ptrOf(&b), &f) || !f.Has("Tags") || f.Len() != 1 {
		t.Fatalf("in-place slice change: %v", f.Paths())
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := mustSchema[player](t)
	a := player{Name: "ann", Score: 5, Alive: true, Tags: []string{"a", "b"}, Inv: map[string]int{"k": -1}, Password: "pw", HP: 3}
	a.Pos.Y = -0.25
	frame := newShadow(s, ptrOf(&a)).appendSnapshot(nil, 2, 4, "p")
	var got player
	r := reader{p: frame[1:]}
	h := r.readSnapHeader()
	r.readState(s, h.hash, ptrOf(&got))
	if r.err != nil || h.name != "p" || h.seq != 4 {
		t.Fatalf("%v %+v", r.err, h)
	}
	a.Password = ""
	if fmt.Sprint(got) != fmt.Sprint(a) {
		t.Fatalf("got %+v, want %+v", got, a)
	}
	if string(frame) == "" || containsPW(frame) {
		t.Fatal("the local-only field left")
	}
}

func containsPW(b []byte) bool {
	for i := 0; i+2 <= len(b); i++ {
		if b[i] == 'p' && b[i+1] == 'w' {
			return true
		}
	}
	return false
}

func TestDeltaErrors(t *testing.T) {
	s := mustSchema[player](t) // numbers 0..6 and 20; span 21
	for _, c := range []struct {
		name string
		body []byte // after the kind byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"truncated mask", []byte{1, 1, 0, 3}, ErrMalformed},
		{"unknown field", []byte{1, 1, 0, 2, 0, 0x80}, ErrUnknownField},   // 15
		{"beyond the type", []byte{1, 1, 3, 1, 0x01}, ErrMaskRange},       // 24
		{"huge mask", []byte{1, 1, 0xff, 0xff, 0x03, 1, 1}, ErrMaskRange}, //
		{"bool 2", []byte{1, 1, 0, 1, 0x04, 2}, ErrWrongType},
		{"uint8 300", []byte{1, 1, 2, 1, 0x10, 0xac, 0x02}, ErrWrongType},
		{"float prefix", []byte{1, 1, 0, 1, 0x08, 3}, ErrWrongType},
		{"string beyond", []byte{1, 1, 0, 1, 0x01, 9, 'a'}, ErrMalformed},
		{"trailing", []byte{1, 1, 0, 1, 0x02, 2, 0}, ErrMalformed},
	} {
		var v player
		f := newFields(s)
		r := reader{p: c.body}
		r.readDeltaHeader()
		r.readDeltaBody(s, &f, ptrOf(&v))
		if !errors.Is(r.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, r.err, c.want)
		}
	}
}

// FuzzDelta: a hostile delta never panics, and a delta that decodes
// encodes back to the same values.
func FuzzDelta(f *testing.F) {
	s := mustSchema[player](f)
	a := player{Name: "x", Tags: []string{"t"}, Inv: map[string]int{"a": 1}}
	b := a
	b.Score, b.Name, b.Inv, b.HP = 4, "yy", map[string]int{"b": 2, "c": 3}, 9
	fs := newFields(s)
	newShadow(s, ptrOf(&a)).diff(ptrOf(&b), &fs)
	f.Add(appendDelta(nil, s, 1, 2, fs, ptrOf(&b))[1:])
	f.Add([]byte{1, 1, 0, 2, 0, 0x80})
	f.Add([]byte{1, 1, 0, 1, 0x60, 2, 1, 'a', 1, 1, 'b', 2})
	f.Fuzz(func(t *testing.T, p []byte) {
		var v player
		g := newFields(s)
		r := reader{p: p}
		h := r.readDeltaHeader()
		r.readDeltaBody(s, &g, ptrOf(&v))
		if r.err != nil {
			return
		}
		again := appendDelta(nil, s, h.handle, h.seq, g, ptrOf(&v))
		var w player
		r2 := reader{p: again[1:]}
		r2.readDeltaHeader()
		r2.readDeltaBody(s, &g, ptrOf(&w))
		if r2.err != nil || fmt.Sprint(v) != fmt.Sprint(w) {
			t.Fatalf("re-encoded delta: %v, %+v vs %+v", r2.err, v, w)
		}
	})
}

// frameBytes is the size of f as one frame of codec c.
func frameBytes(t testing.TB, c message.Codec, b []byte) int {
	out, err := c.AppendFrame(nil, &frame{b: b})
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := c.Decode(out)
	if err != nil || string(back.(*frame).b) != string(b) {
		t.Fatalf("frame does not decode back: %v", err)
	}
	return len(out)
}

func newWorld() world {
	var w world
	for i := range w.Entities {
		w.Entities[i] = entity{Name: fmt.Sprintf("entity-%d", i), X: float32(i * 3), Y: float32(i * 5)}
	}
	return w
}

// BenchmarkReplicaBytes reports Colyseus's scenario (100 entities of
// {Name, X, Y}) in bytes per flush on the wire, msgpack frames included,
// with integer positions (Colyseus: 2671 / 9 / 342 / 668 B) and with
// fractional ones (-frac).
func BenchmarkReplicaBytes(b *testing.B) {
	c := msgpack.NewCodec(nil)
	Register(c)
	message.Register[worldMsg](c)
	s := mustSchema[world](b)
	metrics := map[string]float64{}
	for _, frac := range []float32{0, 0.37} {
		w := newWorld()
		initial := frameBytes(b, c, newShadow(s, ptrOf(&w)).appendSnapshot(nil, 1, 0, "world"))
		sizes := map[int]int{}
		for _, n := range []int{1, 50, 100} {
			sh := newShadow(s, ptrOf(&w))
			v := w
			for i := range n {
				v.Entities[i*100/n].X += 7 + frac
				v.Entities[i*100/n].Y -= 3 + frac
			}
			f := newFields(s)
			sh.diff(ptrOf(&v), &f)
			sizes[n] = frameBytes(b, c, appendDelta(nil, s, 1, 1000, f, ptrOf(&v)))
		}
		suffix := ""
		if frac != 0 {
			suffix = "-frac"
		}
		metrics["initial-B"+suffix] = float64(initial)
		metrics["delta1-B"+suffix] = float64(sizes[1])
		metrics["delta50-B"+suffix] = float64(sizes[50])
		metrics["delta100-B"+suffix] = float64(sizes[100])
	}
	w := newWorld()
	js, _ := json.Marshal(w)
	mp, err := c.AppendFrame(nil, &worldMsg{w})
	if err != nil {
		b.Fatal(err)
	}
	metrics["json-full-B"] = float64(len(js))
	metrics["msgpack-full-B"] = float64(len(mp))
	// The cost: diff, encode and decode of the 100-entity delta.
	sh := newShadow(s, ptrOf(&w))
	v := w
	f := newFields(s)
	g := newFields(s)
	var buf []byte
	var dst world
	b.ResetTimer()
	for i := range b.N {
		for j := range v.Entities {
			v.Entities[j].X = float32(i + j)
		}
		sh.diff(ptrOf(&v), &f)
		buf = appendDelta(buf[:0], s, 1, uint64(i), f, ptrOf(&v))
		r := reader{p: buf[1:]}
		r.readDeltaHeader()
		r.readDeltaBody(s, &g, ptrOf(&dst))
		if r.err != nil {
			b.Fatal(r.err)
		}
	}
	b.StopTimer()
	for unit, v := range metrics {
		b.ReportMetric(v, unit)
	}
}

type worldMsg struct{ world }

func (*worldMsg) MessageName() string { return "world" }
func (*worldMsg) MsgpackID() uint16   { return 0x4242 }
