package replica

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"
	"unsafe"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/room"
)

type player struct {
	Name     string
	Score    int32
	Alive    bool
	Pos      struct{ X, Y float32 }
	Tags     []string
	Inv      map[string]int
	Password string  `replica:"-"`
	HP       uint8   `replica:"20"`
	Speed    float64 `replica:",step=0.25"`
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
	want := map[string]int{"Name": 0, "Score": 1, "Alive": 2, "Pos.X": 3, "Pos.Y": 4, "Tags": 5, "Inv": 6, "HP": 20, "Speed": 21}
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
	h, err := decodeDelta(s, frame, &g, ptrOf(&got))
	if err != nil || h.seq != 9 || h.handle != 1 {
		t.Fatalf("decode: %v %+v", err, h)
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

// decodeDelta decodes delta frame b (its kind byte first) into base.
func decodeDelta(s *schema, b []byte, f *Fields, base unsafe.Pointer) (delta, error) {
	r := reader{p: b}
	d := r.readDeltaHeader(r.byte())
	r.readDeltaBody(s, f, base)
	return d, r.err
}

func TestDeltaErrors(t *testing.T) {
	s := mustSchema[player](t) // numbers 0..6, 20 and 21; span 22
	for _, c := range []struct {
		name string
		body []byte // after the kind byte 'D'
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"no seq", []byte{1}, ErrMalformed},
		{"truncated mask", []byte{1, 1, 0, 3}, ErrMalformed},
		{"unknown field", []byte{1, 1, 0, 2, 0, 0x80}, ErrUnknownField},        // 15
		{"beyond the type", []byte{1, 1, 3 << 2, 1, 0x01}, ErrMaskRange},       // 24
		{"huge mask", []byte{1, 1, 0xfc, 0xff, 0x03, 1, 1}, ErrMaskRange},      //
		{"mask form 3", []byte{1, 1, 3}, ErrMalformed},                         //
		{"run beyond", []byte{1, 1, 0xa5, 0x05}, ErrMaskRange},                 // (21<<3|1)<<2|1: 21..22
		{"run unknown", []byte{1, 1, 0xe1, 0x01}, ErrUnknownField},             // field 7
		{"runs none", []byte{1, 1, 2}, ErrMalformed},                           //
		{"runs gap", []byte{1, 1, 1<<2 | 2, 30, 0}, ErrMaskRange},              //
		{"runs unknown", []byte{1, 1, 1<<2 | 2, 7, 0}, ErrUnknownField},        //
		{"runs long", []byte{1, 1, 1<<2 | 2, 19, 5}, ErrMaskRange},             // 19..24
		{"runs truncated", []byte{1, 1, 2<<2 | 2, 1, 0}, ErrMalformed},         //
		{"bool 2", []byte{1, 1, (2<<3)<<2 | 1, 2}, ErrWrongType},               //
		{"uint8 300", []byte{1, 1, 2 << 2, 1, 0x10, 0xac, 0x02}, ErrWrongType}, //
		{"float prefix", []byte{1, 1, 0, 1, 0x08, 3}, ErrWrongType},            //
		{"steps 2^53", []byte{1, 1, 0xa1, 0x05, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, ErrWrongType},
		{"escape truncated", []byte{1, 1, 0xa1, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0}, ErrMalformed},
		{"string beyond", []byte{1, 1, 0, 1, 0x01, 9, 'a'}, ErrMalformed},
		{"trailing", []byte{1, 1, 0, 1, 0x02, 2, 0}, ErrMalformed},
	} {
		var v player
		f := newFields(s)
		if _, err := decodeDelta(s, append([]byte{kindDelta}, c.body...), &f, ptrOf(&v)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
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
	b.Speed = -3.3
	f.Add(appendDelta(nil, s, 1, 2, fs, ptrOf(&b)))
	f.Add(appendDelta(nil, s, 300, 2, fs, ptrOf(&b)))
	b.Speed = math.Inf(1)
	f.Add(appendDelta(nil, s, 1, 2, fs, ptrOf(&b)))
	f.Add([]byte{kindDelta, 1, 1, 0, 2, 0, 0x80})
	f.Add([]byte{kindDelta, 1, 1, 0, 1, 0x60, 2, 1, 'a', 1, 1, 'b', 2})
	f.Add([]byte{kindShort | 1, 1, 2<<2 | 2, 1, 0, 1, 1, 9, 8, 7})
	f.Fuzz(func(t *testing.T, p []byte) {
		var v player
		g := newFields(s)
		h, err := decodeDelta(s, p, &g, ptrOf(&v))
		if err != nil {
			return
		}
		again := appendDelta(nil, s, h.handle, uint64(h.seq), g, ptrOf(&v))
		var w player
		g2 := newFields(s)
		h2, err := decodeDelta(s, again, &g2, ptrOf(&w))
		if err != nil || h2 != h || fmt.Sprint(g.Paths()) != fmt.Sprint(g2.Paths()) || fmt.Sprint(v) != fmt.Sprint(w) {
			t.Fatalf("re-encoded delta: %v, %+v vs %+v", err, v, w)
		}
	})
}

// entityQ is entity with its position in steps of 0.01 (the compact float
// mode): whole and fractional positions travel as multiples of 0.01.
type entityQ struct {
	Name string
	X, Y float32 `replica:",step=0.01"`
}

type worldQ struct{ Entities [100]entityQ }

func newWorld() world {
	var w world
	for i := range w.Entities {
		w.Entities[i] = entity{Name: fmt.Sprintf("entity-%d", i), X: float32(i * 3), Y: float32(i * 5)}
	}
	return w
}

func newWorldQ() worldQ {
	var w worldQ
	for i, e := range newWorld().Entities {
		w.Entities[i] = entityQ(e)
	}
	return w
}

// wireBytes measures, through a Hub and codec c, the bytes on the wire of
// a snapshot of v to one observer (initial), of the delta of one Flush
// after change (delta), and of a Flush after none (idle).
func wireBytes[T any](t testing.TB, c message.Codec, v T, change func(*T)) (initial, delta, idle int) {
	t.Helper()
	var n int
	h := New(nil, &Config{Interval: -1})
	h.sendTo = func(_ room.PeerID, m message.Message) error {
		out, err := c.AppendFrame(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if back, k, err := c.Decode(out); err != nil || k != len(out) || string(back.(*frame).b) != string(m.(*frame).b) {
			t.Fatalf("frame does not decode back: %v", err)
		}
		n += len(out)
		return nil
	}
	pub, err := Publish(h, "world", v)
	if err != nil {
		t.Fatal(err)
	}
	pub.observe(7)
	initial, n = n, 0
	pub.Update(change)
	if err := h.Flush(); err != nil {
		t.Fatal(err)
	}
	delta, n = n, 0
	pub.Update(func(*T) {})
	_ = h.Flush()
	_ = h.Flush()
	return initial, delta, n
}

// BenchmarkReplicaBytes reports Colyseus's scenario (100 entities of
// {Name, X, Y}, Colyseus: 2671 / 9 / 342 / 668 B) in bytes on the wire
// per flush, msgpack frames included: with whole-number float32
// positions, with fractional ones in the compact float mode (step 0.01:
// -frac), and fractional ones sent exact (-exact); idle-B is a Flush
// with nothing changed. The time is the diff, encode and decode of the
// 100-entity delta.
func BenchmarkReplicaBytes(b *testing.B) {
	c := msgpack.NewCodec(nil)
	Register(c)
	message.Register[worldMsg](c)
	metrics := map[string]float64{}
	for _, n := range []int{1, 50, 100} {
		moved := func(i int) bool { return i%(100/n) == 0 } // n entities, evenly spread
		suffix := []string{"", "-frac", "-exact"}
		var init, delta, idle [3]int
		init[0], delta[0], idle[0] = wireBytes(b, c, newWorld(), func(w *world) {
			for i := range w.Entities {
				if moved(i) {
					w.Entities[i].X += 7
					w.Entities[i].Y -= 3
				}
			}
		})
		init[1], delta[1], idle[1] = wireBytes(b, c, newWorldQ(), func(w *worldQ) {
			for i := range w.Entities {
				if moved(i) {
					w.Entities[i].X += 7.37
					w.Entities[i].Y -= 3.37
				}
			}
		})
		init[2], delta[2], idle[2] = wireBytes(b, c, newWorld(), func(w *world) {
			for i := range w.Entities {
				if moved(i) {
					w.Entities[i].X += 7.37
					w.Entities[i].Y -= 3.37
				}
			}
		})
		for k, sfx := range suffix {
			metrics["initial-B"+sfx] = float64(init[k])
			metrics[fmt.Sprintf("delta%d-B%s", n, sfx)] = float64(delta[k])
			metrics["idle-B"] = max(metrics["idle-B"], float64(idle[k]))
		}
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
	s := mustSchema[worldQ](b)
	wq := newWorldQ()
	sh := newShadow(s, ptrOf(&wq))
	v := wq
	f := newFields(s)
	g := newFields(s)
	var buf []byte
	dst := wq
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ResetTimer()
	for i := range b.N {
		for j := range v.Entities {
			v.Entities[j].X = float32(i+j) + 0.25
			v.Entities[j].Y = float32(i-j) + 0.5
		}
		sh.diff(ptrOf(&v), &f)
		buf = appendDelta(buf[:0], s, 1, uint64(i), f, ptrOf(&v))
		if _, err := decodeDelta(s, buf, &g, ptrOf(&dst)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	metrics["cpu-ns/op"] = float64(threadCPU()-cpu0) / float64(b.N)
	if dst != v {
		b.Fatal("decoded delta differs")
	}
	for unit, v := range metrics {
		b.ReportMetric(v, unit)
	}
}

type worldMsg struct{ world }

func (*worldMsg) MessageName() string { return "world" }
func (*worldMsg) MsgpackID() uint16   { return 0x4242 }

// BenchmarkReplicaFloor is the floor for BenchmarkReplicaBytes's time:
// the same change to the 100 entities and a plain copy of the struct to
// the receiver (no diff, no encoding).
func BenchmarkReplicaFloor(b *testing.B) {
	v := newWorldQ()
	var dst worldQ
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	for i := range b.N {
		for j := range v.Entities {
			v.Entities[j].X = float32(i+j) + 0.25
			v.Entities[j].Y = float32(i-j) + 0.5
		}
		dst = v
	}
	b.ReportMetric(float64(threadCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if dst != v {
		b.Fatal("copy differs")
	}
}
