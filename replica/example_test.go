package replica_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/replica"
	"github.com/cablecar-go/cablecar/room"
)

// Board is a published score board. Token is the owner's alone.
type Board struct {
	Leader string
	Score  int
	Token  string `replica:"-"`
}

// twoRooms makes a host that listens on loopback and a guest that dials
// it, each with a Hub on a msgpack codec.
func twoRooms(app string) (host, guest *room.Room, hh, gh *replica.Hub, err error) {
	mk := func(cfg room.Config) (*room.Room, *replica.Hub, error) {
		c := msgpack.NewCodec(nil)
		replica.Register(c)
		cfg.AppID, cfg.Codec = app, c
		r, err := room.New(context.Background(), &cfg)
		if err != nil {
			return nil, nil, err
		}
		return r, replica.New(r, nil), nil
	}
	if host, hh, err = mk(room.Config{Listen: "127.0.0.1:0"}); err != nil {
		return
	}
	guest, gh, err = mk(room.Config{Dial: []string{host.Addr().String()}})
	return
}

// frame is one game frame of a room and its hub.
func frame(r *room.Room, h *replica.Hub, each func(replica.Event)) {
	_ = r.Xfer()
	for ev := r.Get(); ev != nil; ev = r.Get() {
		h.Handle(ev)
	}
	for ev := h.Get(); ev != nil; ev = h.Get() {
		each(ev)
	}
	_ = h.Flush()
	_ = r.Xfer()
}

// The host publishes a board; the guest observes it, gets a snapshot,
// then the changed field alone.
func ExamplePublish() {
	host, guest, hh, gh, err := twoRooms("example-replica")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	defer guest.Close()

	board, _ := replica.Publish(hh, "board", Board{Leader: "ann", Score: 10, Token: "t0k3n"})
	view, _ := replica.Observe[Board](gh, "board")

	updated := false
	for tick := time.Tick(time.Millisecond); ; <-tick {
		frame(host, hh, func(replica.Event) {})
		frame(guest, gh, func(replica.Event) {})
		if !view.Ready() {
			continue
		}
		if !updated {
			v, _ := view.Value()
			fmt.Printf("snapshot: %s %d %q\n", v.Leader, v.Score, v.Token)
			board.Update(func(b *Board) { b.Score = 12 })
			updated = true
		}
		if view.Seq() == board.Seq() && board.Seq() > 0 {
			v, changed := view.Value()
			fmt.Println("delta:", v.Score, changed.Paths())
			return
		}
	}
	// Output:
	// snapshot: ann 10 ""
	// delta: 12 [Score]
}

// Account is what a player's machine sends; Card is what the receiver
// builds from it.
type Account struct {
	User     string
	Level    int
	Password string `replica:"-"`
}

type Card struct{ Title string }

// A copy is rebuilt only for a name the receiver allowed.
func ExampleSendCopy() {
	host, guest, hh, gh, err := twoRooms("example-copy")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	defer guest.Close()
	_ = replica.Allow[Account](gh, "account")
	_ = replica.AllowAs(gh, "card", func(c *Card, a Account) { c.Title = fmt.Sprintf("%s (level %d)", a.User, a.Level) })

	sent := false
	got := 0
	for tick := time.Tick(time.Millisecond); got < 3; <-tick {
		frame(host, hh, func(replica.Event) {})
		if !sent && len(host.Peers()) == 1 {
			peer := host.Peers()[0]
			_ = replica.SendCopy(hh, peer, "account", Account{User: "ann", Level: 3, Password: "pw"})
			_ = replica.SendCopy(hh, peer, "card", Account{User: "bob", Level: 7})
			_ = replica.SendCopy(hh, peer, "rootkit", Account{User: "eve"})
			sent = true
		}
		frame(guest, gh, func(ev replica.Event) {
			got++
			switch ev := ev.(type) {
			case replica.Copied:
				fmt.Printf("%s: %+v\n", ev.Name, ev.Value)
			case replica.Refused:
				fmt.Println("refused:", ev.Err)
			}
		})
	}
	// Output:
	// account: &{User:ann Level:3 Password:}
	// card: &{Title:bob (level 7)}
	// refused: replica: unregistered name: "rootkit"
}

// Ship's position travels in steps of 0.01 (the compact float mode): 2
// or 3 bytes a coordinate instead of 5.
type Ship struct {
	Name string
	X, Y float32 `replica:",step=0.01"`
}

// A view bound to the peer that publishes the value: no other peer's
// snapshot is taken.
func ExampleObserveFrom() {
	host, guest, hh, gh, err := twoRooms("example-from")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer host.Close()
	defer guest.Close()

	_, _ = replica.Publish(hh, "ship", Ship{Name: "kestrel", X: 1.234, Y: -5})
	var ship *replica.View[Ship]
	for tick := time.Tick(time.Millisecond); ; <-tick {
		frame(host, hh, func(replica.Event) {})
		frame(guest, gh, func(replica.Event) {})
		if ship == nil && len(guest.Peers()) == 1 {
			ship, _ = replica.ObserveFrom[Ship](gh, guest.Peers()[0], "ship")
		}
		if ship != nil && ship.Ready() {
			v, _ := ship.Value()
			owner, _ := ship.Owner()
			fmt.Println(v.Name, v.X, v.Y, "from the host:", owner == host.ID())
			return
		}
	}
	// Output:
	// kestrel 1.23 -5 from the host: true
}
