package relay

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/replica"
	"github.com/cablecar-go/cablecar/room"
)

// board is the published value of the replica tests.
type board struct {
	Title  string
	Points int
	X, Y   float32
	Alive  bool
	Tags   []string
	Secret string `replica:"-"`
}

// replicaEnd is a relay Room with its replica Hub.
type replicaEnd struct {
	*member
	h   *replica.Hub
	hub []replica.Event // the Hub's events
}

// frame runs one game frame: Xfer, the Room's events to the Hub, Flush.
func (e *replicaEnd) frame() {
	_ = e.Xfer()
	for ev := e.Get(); ev != nil; ev = e.Get() {
		e.events = append(e.events, ev)
		e.h.Handle(ev)
	}
	for ev := e.h.Get(); ev != nil; ev = e.h.Get() {
		e.hub = append(e.hub, ev)
	}
	_ = e.h.Flush()
	_ = e.Xfer()
}

func replicaUntil(t *testing.T, what string, cond func() bool, es ...*replicaEnd) {
	t.Helper()
	waitFor(t, what, func() bool {
		for _, e := range es {
			e.frame()
		}
		return cond()
	})
}

func newReplicaEnd(t *testing.T, url, password string) *replicaEnd {
	t.Helper()
	m := newMember(t, url, nil, func(c *room.Config) {
		codec := msgpack.NewCodec(nil)
		replica.Register(codec)
		c.Codec = codec
		c.Password = password
	})
	return &replicaEnd{member: m, h: replica.New(m.Room, &replica.Config{Interval: -1})}
}

// A Cacheable over the relay alone: Publish on one Room, Observe on the
// other; after each of 100 random updates and its flush, the observer's
// value equals the owner's. With a password the marker in the value never
// reaches the server in clear; without one it does (the tap's control).
func TestReplicaOverRelay(t *testing.T) {
	const marker = "MARKER-c4c4b1e-board"
	for _, tc := range passwordCases {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			s := startServer(t, nil)
			tp := newTap(t, s.ClientURL())
			owner := newReplicaEnd(t, s.ClientURL(), tc.password)
			obs := newReplicaEnd(t, s.ClientURL(), tc.password)
			replicaUntil(t, "both see each other", func() bool {
				return hasPeer(owner.member, obs.ID()) && hasPeer(obs.member, owner.ID())
			}, owner, obs)
			pub, err := replica.Publish(owner.h, "board", board{Title: marker, Secret: "local only"})
			if err != nil {
				t.Fatal(err)
			}
			view, err := replica.Observe[board](obs.h, "board")
			if err != nil {
				t.Fatal(err)
			}
			replicaUntil(t, "the snapshot", view.Ready, owner, obs)
			if v, _ := view.Value(); v.Title != marker || v.Secret != "" {
				t.Fatalf("snapshot %+v", v)
			}
			if o, ok := view.Owner(); !ok || o != owner.ID() {
				t.Fatalf("owner %v %v, want %v", o, ok, owner.ID())
			}
			rng := rand.New(rand.NewPCG(5, 6))
			for i := range 100 {
				pub.Update(func(b *board) {
					switch rng.IntN(5) {
					case 0:
						b.Points = rng.IntN(1000)
					case 1:
						b.X, b.Y = rng.Float32()*100, float32(rng.IntN(50))
					case 2:
						b.Alive = !b.Alive
					case 3:
						b.Tags = append(b.Tags, fmt.Sprint(i))
					case 4:
						b.Title = fmt.Sprint(marker, " ", rng.IntN(10))
					}
				})
				_ = owner.h.Flush()
				replicaUntil(t, "the delta", func() bool { return view.Seq() == pub.Seq() }, owner, obs)
				got, _ := view.Value()
				want := pub.Value()
				want.Secret = ""
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("update %d: view %+v, owner %+v", i, got, want)
				}
			}
			if pub.Seq() == 0 || view.Refused() != 0 || view.Skipped() != 0 || len(obs.hub) != 0 {
				t.Fatalf("seq %d, refused %d, skipped %d, observer's hub events %v", pub.Seq(), view.Refused(), view.Skipped(), obs.hub)
			}
			if err := tp.nc.Flush(); err != nil {
				t.Fatal(err)
			}
			seen, subs := tp.all()
			if bytes.Contains(seen, []byte(marker)) != tc.visible {
				t.Fatalf("marker visible to the server: %v, want %v (subjects %v)", !tc.visible, tc.visible, subs)
			}
			if bytes.Contains(seen, []byte("local only")) {
				t.Fatal("a local-only field reached the server")
			}
		})
	}
}

// stopped returns the Stopped events of e's Hub.
func (e *replicaEnd) stopped() []replica.Stopped {
	var out []replica.Stopped
	for _, ev := range e.hub {
		if st, ok := ev.(replica.Stopped); ok {
			out = append(out, st)
		}
	}
	return out
}

// The owner learns over the relay when an observer stops: one that
// closes its view at once (ErrStopped), one whose path to the server goes
// dark (no goodbye) when it times out (room.ErrPeerTimeout).
func TestReplicaStoppedOverRelay(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t, nil)
	px := newProxy(t, s.Addr().String())
	owner := newReplicaEnd(t, s.ClientURL(), "swordfish")
	closer := newReplicaEnd(t, s.ClientURL(), "swordfish")
	dark := newReplicaEnd(t, px.url(), "swordfish")
	all := []*replicaEnd{owner, closer, dark}
	pub, err := replica.Publish(owner.h, "board", board{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := replica.Observe[board](closer.h, "board")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := replica.Observe[board](dark.h, "board")
	if err != nil {
		t.Fatal(err)
	}
	replicaUntil(t, "two observers", func() bool { return v1.Ready() && v2.Ready() && len(pub.Observers()) == 2 }, all...)

	v1.Close()
	replicaUntil(t, "the closer stops", func() bool { return len(owner.stopped()) == 1 }, all...)
	if st := owner.stopped()[0]; st.Peer != closer.ID() || st.Name != "board" || !errors.Is(st.Reason, replica.ErrStopped) {
		t.Fatalf("stopped %+v", st)
	}
	if obs := pub.Observers(); len(obs) != 1 || obs[0] != dark.ID() {
		t.Fatalf("observers %v, want %v", obs, dark.ID())
	}

	px.frozen.Store(true)
	replicaUntil(t, "the dark observer stops", func() bool { return len(owner.stopped()) == 2 }, owner, closer)
	if st := owner.stopped()[1]; st.Peer != dark.ID() || !errors.Is(st.Reason, room.ErrPeerTimeout) {
		t.Fatalf("stopped %+v", st)
	}
	if obs := pub.Observers(); len(obs) != 0 {
		t.Fatalf("observers %v after both stopped", obs)
	}
}
