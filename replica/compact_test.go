package replica

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

type vec struct{ X, Y float32 }

type stepped struct {
	Pos   vec        `replica:",step=0.01"` // inherited by X and Y
	Path  [2]float64 `replica:",step=0.5"`
	Mixed struct {
		N int
		F float32
	} `replica:"10,step=0.1"` // N is not a float: left exact
	Exact float32
}

func TestStepSchema(t *testing.T) {
	s := mustSchema[stepped](t)
	want := map[string]float64{"Pos.X": 0.01, "Pos.Y": 0.01, "Path[0]": 0.5, "Path[1]": 0.5, "Mixed.N": 0, "Mixed.F": 0.1, "Exact": 0}
	for path, step := range want {
		if l := s.leaves[s.byPath[path]]; l.step != step {
			t.Errorf("%s: step %v, want %v", path, l.step, step)
		}
	}
	if s.leaves[s.byPath["Mixed.N"]].num != 10 {
		t.Error("a number with a step")
	}
	if plain := mustSchema[vec](t); plain.hash == mustSchema[struct {
		X, Y float32 `replica:",step=0.01"`
	}](t).hash {
		t.Error("a step does not change the schema's hash")
	}
	for _, bad := range []any{
		struct {
			N int `replica:",step=1"`
		}{},
		struct {
			F float32 `replica:",step=0"`
		}{},
		struct {
			F float32 `replica:",step=-1"`
		}{},
		struct {
			F float32 `replica:",step=x"`
		}{},
		struct {
			F float32 `replica:",nope=1"`
		}{},
		struct {
			F []float32 `replica:",step=1"`
		}{},
	} {
		if _, err := schemaOf(reflectTypeOf(bad)); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%T: %v, want ErrUnsupported", bad, err)
		}
	}
}

// A stepped float travels as a multiple of its step: within step/2 of
// the owner's value; a NaN, an infinity or a huge value exactly.
func TestStepValues(t *testing.T) {
	s := mustSchema[stepped](t)
	var zero stepped
	sh := newShadow(s, ptrOf(&zero))
	for _, c := range []struct {
		x     float32
		p     float64
		exact bool
	}{
		{7.37, 1.26, false}, {-3.371, -0.74, false}, {1234.5678, 1e6 + 0.3, false},
		{float32(math.NaN()), math.Inf(1), true}, {float32(math.Inf(-1)), math.NaN(), true},
		{3e30, 1e300, true}, {0.004, 0.2, false},
	} {
		v := zero
		v.Pos.X, v.Path[1], v.Exact = c.x, c.p, 0.1
		f := newFields(s)
		sh.diff(ptrOf(&v), &f)
		var got stepped
		g := newFields(s)
		if _, err := decodeDelta(s, appendDelta(nil, s, 1, 1, f, ptrOf(&v)), &g, ptrOf(&got)); err != nil {
			t.Fatal(err)
		}
		sh = newShadow(s, ptrOf(&zero))
		if c.exact {
			if fmt.Sprint(got.Pos.X, got.Path[1]) != fmt.Sprint(c.x, c.p) {
				t.Errorf("%v %v: got %v %v", c.x, c.p, got.Pos.X, got.Path[1])
			}
			continue
		}
		if d := math.Abs(float64(got.Pos.X) - float64(c.x)); d > 0.005+1e-4*math.Abs(float64(c.x)) {
			t.Errorf("%v: got %v", c.x, got.Pos.X)
		}
		if d := math.Abs(got.Path[1] - c.p); d > 0.25 {
			t.Errorf("%v: got %v", c.p, got.Path[1])
		}
		if got.Exact != 0.1 {
			t.Errorf("exact field %v", got.Exact)
		}
	}
	// A change below half a step is no change: nothing to send.
	v := zero
	v.Pos.X = 0.004
	f := newFields(s)
	if sh.diff(ptrOf(&v), &f) {
		t.Errorf("a change of 0.004 in steps of 0.01 found: %v", f.Paths())
	}
	v.Pos.X = 0.006
	if !sh.diff(ptrOf(&v), &f) || !f.Has("Pos.X") {
		t.Error("a change of 0.006 in steps of 0.01 not found")
	}
}

// The mask takes the shortest of its three forms, and each decodes back.
func TestMaskForms(t *testing.T) {
	s := mustSchema[world](t)
	for _, c := range []struct {
		name string
		nums []int
		form uint64
		size int
	}{
		{"one run", []int{1, 2}, maskRun, 1},
		{"one far run", []int{298, 299}, maskRun, 2},
		{"two runs", []int{4, 5, 200}, maskRuns, 6},
		{"long run", []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, maskRuns, 3},
		{"dense", []int{1, 2, 7, 8, 13, 14, 19, 20, 25, 26, 31, 32}, maskBits, 2 + 5},
	} {
		f := newFields(s)
		for _, n := range c.nums {
			f.set(n)
		}
		b := appendMask(nil, f)
		if b[0]&3 != byte(c.form) || len(b) != c.size {
			t.Errorf("%s: % x, want form %d in %d bytes", c.name, b, c.form, c.size)
		}
		r := reader{p: b}
		g := newFields(s)
		r.readMask(s, &g)
		r.end()
		if r.err != nil || fmt.Sprint(g.Paths()) != fmt.Sprint(f.Paths()) {
			t.Errorf("%s: decoded %v (%v), want %v", c.name, g.Paths(), r.err, f.Paths())
		}
	}
}

// Deltas carry their sequence number modulo 256: a view follows past the
// wrap, skips a stale delta and finds a gap.
func TestSeqModulo(t *testing.T) {
	s := mustSchema[score](t)
	h := New(nil, nil)
	var sent [][]byte
	h.sendTo = func(_ room.PeerID, m message.Message) error {
		sent = append(sent, append([]byte(nil), m.(*frame).b...))
		return nil
	}
	v := &View[score]{h: h, name: "v", s: s, changed: newFields(s), spare: newFields(s), tmp: newFields(s)}
	h.views["v"] = v
	snap := newShadow(s, ptrOf(&score{})).appendSnapshot(nil, 1, 250, "v")
	h.received(7, snap)
	if !v.Ready() || v.Seq() != 250 {
		t.Fatalf("snapshot: ready %v seq %d", v.Ready(), v.Seq())
	}
	f := newFields(s)
	f.set(1)
	for seq := uint64(251); seq < 600; seq++ {
		h.received(7, appendDelta(nil, s, 1, seq, f, ptrOf(&score{Points: int(seq)})))
		if got, _ := v.Value(); got.Points != int(seq) || v.Seq() != seq {
			t.Fatalf("delta %d: %d at %d", seq, got.Points, v.Seq())
		}
	}
	h.received(7, appendDelta(nil, s, 1, 590, f, ptrOf(&score{Points: -1})))
	if got, _ := v.Value(); got.Points != 599 || v.Skipped() != 1 {
		t.Fatalf("stale delta applied: %d, %d skipped", got.Points, v.Skipped())
	}
	h.received(7, appendDelta(nil, s, 1, 601, f, ptrOf(&score{Points: -1})))
	if ev, ok := h.Get().(Resync); !ok || !errors.Is(ev.Err, ErrGap) {
		t.Fatalf("gap: %#v", ev)
	}
	if got, _ := v.Value(); got.Points != 599 || len(sent) != 1 || sent[0][0] != kindObserve {
		t.Fatalf("after the gap: %d, sent %q", got.Points, sent)
	}
}

// Flush sends one frame per peer, however many values changed; nothing
// when nothing did.
func TestBatchAndIdle(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	var frames, batches int
	send := host.h.sendTo
	host.h.sendTo = func(p room.PeerID, m message.Message) error {
		frames++
		if m.(*frame).b[0] == kindBatch {
			batches++
		}
		return send(p, m)
	}
	pubs, views := publishObserve(t, host, guest, 5)
	frames, batches = 0, 0
	for i, p := range pubs {
		p.Update(func(s *score) { s.Points = 10 + i })
	}
	_ = host.h.Flush()
	if frames != 1 || batches != 1 {
		t.Fatalf("%d frames (%d batches) for 5 deltas, want 1", frames, batches)
	}
	until(t, "the batched deltas", func() bool {
		for i, v := range views {
			if got, _ := v.Value(); got.Points != 10+i {
				return false
			}
		}
		return true
	}, host, guest)
	frames = 0
	for range 3 {
		for _, p := range pubs {
			p.Update(func(*score) {}) // no change
		}
		_ = host.h.Flush()
	}
	if frames != 0 {
		t.Fatalf("%d frames when nothing changed", frames)
	}
}

// A batch too large for the byte codec's frame is sent in smaller ones.
func TestBatchByteCodec(t *testing.T) {
	host := byteEnd(t, room.Config{Listen: "127.0.0.1:0"})
	guest := byteEnd(t, room.Config{Dial: []string{host.r.Addr().String()}})
	pubs, views := publishObserve(t, host, guest, 8)
	long := string(make([]byte, 60))
	for _, p := range pubs {
		p.Update(func(s *score) { s.Name = long })
	}
	if err := host.h.Flush(); err != nil {
		t.Fatal(err)
	}
	until(t, "8 deltas of 60 bytes", func() bool {
		for _, v := range views {
			if got, _ := v.Value(); got.Name != long {
				return false
			}
		}
		return true
	}, host, guest)
}

// An observer whose frame was lost (a full queue at the owner) gets a
// fresh snapshot at the next Flush, and ends equal to the owner.
func TestSnapshotAfterLostFrame(t *testing.T) {
	host, guest := pair(t, &Config{Interval: -1})
	pub, _ := Publish(host.h, "s", score{})
	view, _ := Observe[score](guest.h, "s")
	until(t, "the snapshot", view.Ready, host, guest)
	send := host.h.sendTo
	lost := 0
	host.h.sendTo = func(p room.PeerID, m message.Message) error {
		if b := m.(*frame).b; b[0] >= kindShort && lost == 0 {
			lost++
			return messenger.ErrQueueFull
		}
		return send(p, m)
	}
	pub.Update(func(s *score) { s.Points = 1 })
	if err := host.h.Flush(); !errors.Is(err, messenger.ErrQueueFull) {
		t.Fatalf("flush: %v", err)
	}
	_ = host.h.Flush() // the snapshot, with no change
	until(t, "the snapshot again", func() bool { v, _ := view.Value(); return v.Points == 1 && view.Seq() == 1 }, host, guest)
	for i := range 300 { // past a wrap of the sequence numbers
		pub.Update(func(s *score) { s.Points = i })
		_ = host.h.Flush()
	}
	until(t, "the last delta", func() bool { return view.Seq() == pub.Seq() }, host, guest)
	if v, _ := view.Value(); v.Points != 299 || lost != 1 {
		t.Fatalf("view %+v, %d lost", v, lost)
	}
}

// View.Value allocates nothing.
func TestViewValueAllocs(t *testing.T) {
	s := mustSchema[world](t)
	v := &View[world]{s: s, changed: newFields(s), spare: newFields(s)}
	v.changed.set(4)
	_, f := v.Value()
	if !f.HasNum(4) {
		t.Fatal("the change is lost")
	}
	keep := f.Clone()
	v.changed.set(5)
	if _, f := v.Value(); !f.HasNum(5) || f.HasNum(4) || !keep.HasNum(4) {
		t.Fatal("the sets mix")
	}
	if n := testing.AllocsPerRun(100, func() { v.Value() }); n != 0 {
		t.Fatalf("Value: %v allocations", n)
	}
}

func BenchmarkViewValue(b *testing.B) {
	s := mustSchema[world](b)
	v := &View[world]{s: s, changed: newFields(s), spare: newFields(s)}
	b.ReportAllocs()
	for b.Loop() {
		v.changed.set(7)
		w, f := v.Value()
		if !f.HasNum(7) || w.Entities[0].X != 0 {
			b.Fatal("lost")
		}
	}
}

// A view bound by ObserveFrom takes its value from that peer alone: a
// third peer's snapshot is refused (ErrNotOwner, counted), its deltas
// dropped, and the value stays the owner's.
func TestForgedOwner(t *testing.T) {
	host, guest, forger := trio(t)
	pub, _ := Publish(host.h, "s", score{Name: "real", Points: 1})
	view, err := ObserveFrom[score](guest.h, host.r.ID(), "s")
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the snapshot", view.Ready, host, guest, forger)
	s := mustSchema[score](t)
	fake := score{Name: "fake", Points: 666}
	g := guest.r.ID()
	f := newFields(s)
	f.set(0)
	f.set(1)
	for _, b := range [][]byte{
		newShadow(s, ptrOf(&fake)).appendSnapshot(nil, 1, 0, "s"),
		newShadow(s, ptrOf(&fake)).appendSnapshot(nil, pub.handle, 1, "s"),
		appendDelta(nil, s, pub.handle, 1, f, ptrOf(&fake)),
		appendDelta(nil, s, 1, 1, f, ptrOf(&fake)),
	} {
		if err := forger.r.Send(g, &frame{b: b}); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "the refusals", func() bool { return view.Refused() == 2 && guest.h.Dropped() >= 2 }, host, guest, forger)
	if r, ok := eventOf[Refused](guest); !ok || !errors.Is(r.Err, ErrNotOwner) || r.Peer != forger.r.ID() {
		t.Fatalf("refused event %#v", r)
	}
	if v, _ := view.Value(); v.Name != "real" || v.Points != 1 {
		t.Fatalf("view %+v after the forgeries", v)
	}
	if owner, ok := view.Owner(); !ok || owner != host.r.ID() {
		t.Fatalf("owner %x %v", owner, ok)
	}
	pub.Update(func(s *score) { s.Points = 2 })
	_ = host.h.Flush()
	until(t, "the owner's delta", func() bool { v, _ := view.Value(); return v.Points == 2 }, host, guest, forger)

	// Before its owner answers, a view of ObserveFrom takes no one else's
	// snapshot either (a view of Observe would: the first answer binds it).
	early, _ := ObserveFrom[score](guest.h, host.r.ID(), "t")
	if err := forger.r.Send(g, &frame{b: newShadow(s, ptrOf(&fake)).appendSnapshot(nil, 1, 0, "t")}); err != nil {
		t.Fatal(err)
	}
	until(t, "the early refusal", func() bool { return early.Refused() == 1 }, host, guest, forger)
	if early.Ready() {
		t.Fatal("an unbound view took a forged snapshot")
	}
	if _, err := Publish(host.h, "t", score{Name: "real t"}); err != nil {
		t.Fatal(err)
	}
	until(t, "the owner's snapshot", early.Ready, host, guest, forger)
	if v, _ := early.Value(); v.Name != "real t" {
		t.Fatalf("early view %+v", v)
	}
}

// trio makes three rooms that all see one another, with hubs.
func trio(t *testing.T) (a, b, c *end) {
	cfg := &Config{Interval: -1}
	ar := newRoom(t, room.Config{Listen: "127.0.0.1:0"})
	br := newRoom(t, room.Config{Listen: "127.0.0.1:0", Dial: []string{ar.Addr().String()}})
	cr := newRoom(t, room.Config{Dial: []string{ar.Addr().String(), br.Addr().String()}})
	a, b, c = &end{r: ar, h: New(ar, cfg)}, &end{r: br, h: New(br, cfg)}, &end{r: cr, h: New(cr, cfg)}
	until(t, "three peers", func() bool { return len(b.r.Peers()) == 2 && len(c.r.Peers()) == 2 && len(a.r.Peers()) == 2 }, a, b, c)
	return a, b, c
}

// One hub observes one name from two peers, a view each; closing one
// stops that owner alone.
func TestObserveFromSeveralPeers(t *testing.T) {
	a, obs, c := trio(t)
	pa, _ := Publish(a.h, "stats", score{Name: "a"})
	pc, _ := Publish(c.h, "stats", score{Name: "c"})
	va, err := ObserveFrom[score](obs.h, a.r.ID(), "stats")
	if err != nil {
		t.Fatal(err)
	}
	vc, err := ObserveFrom[score](obs.h, c.r.ID(), "stats")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ObserveFrom[score](obs.h, c.r.ID(), "stats"); !errors.Is(err, ErrName) {
		t.Fatalf("a second view of one name and peer: %v", err)
	}
	until(t, "both snapshots", func() bool { return va.Ready() && vc.Ready() }, a, obs, c)
	pa.Update(func(s *score) { s.Points = 1 })
	pc.Update(func(s *score) { s.Points = 2 })
	_ = a.h.Flush()
	_ = c.h.Flush()
	until(t, "both deltas", func() bool { return va.Seq() == 1 && vc.Seq() == 1 }, a, obs, c)
	x, _ := va.Value()
	y, _ := vc.Value()
	if x.Name != "a" || x.Points != 1 || y.Name != "c" || y.Points != 2 || va.Refused()+vc.Refused() != 0 {
		t.Fatalf("views %+v %+v", x, y)
	}
	vc.Close()
	until(t, "c's observer stopped", func() bool { return len(pc.Observers()) == 0 }, a, obs, c)
	if len(pa.Observers()) != 1 {
		t.Fatal("closing one view stopped the other")
	}
}

func byteEnd(t *testing.T, cfg room.Config) *end {
	t.Helper()
	c := message.NewByteCodec(nil)
	Register(c)
	cfg.AppID, cfg.Codec = "replica-byte", c
	r, err := room.New(t.Context(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &end{r: r, h: New(r, &Config{Interval: -1})}
}

// BenchmarkFlush: one entity moved, one delta to each of 4 observers,
// through a Hub (the Room's Send replaced by a sink).
func BenchmarkFlush(b *testing.B) {
	h := New(nil, &Config{Interval: -1})
	var n int
	h.sendTo = func(_ room.PeerID, m message.Message) error { n += len(m.(*frame).b); return nil }
	pub, _ := Publish(h, "world", newWorldQ())
	for p := range 4 {
		pub.observe(room.PeerID(p + 1))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		pub.Update(func(w *worldQ) { w.Entities[i%100].X += 1.5 })
		if err := h.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "B/flush")
}

// publishObserve publishes n zero scores "v0"... on host, observes each on
// guest and runs frames until every view has its snapshot.
func publishObserve(t *testing.T, host, guest *end, n int) ([]*Published[score], []*View[score]) {
	t.Helper()
	var pubs []*Published[score]
	var views []*View[score]
	for i := range n {
		p, _ := Publish(host.h, fmt.Sprint("v", i), score{})
		v, _ := Observe[score](guest.h, fmt.Sprint("v", i))
		pubs, views = append(pubs, p), append(views, v)
	}
	until(t, "the snapshots", func() bool {
		for _, v := range views {
			if !v.Ready() {
				return false
			}
		}
		return true
	}, host, guest)
	return pubs, views
}
