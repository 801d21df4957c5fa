package game

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/replica"
	"github.com/cablecar-go/cablecar/room"
)

// worldName is the name the world is published under.
const worldName = "arena.world"

// Input is the message a player sends the host: the keys it holds now.
// It is sent when they change and when the host changes; the host moves
// the player by its last Input every tick.
type Input struct {
	Keys Keys
}

func (*Input) MessageName() string { return "arena.Input" }
func (*Input) MsgpackID() uint16   { return 0x0A01 }

// countingCodec is the msgpack codec, counting the bytes of the frames it
// encodes for sending: the game's, the room's and the replica's, framing
// included (the Messenger's own hello and ping frames are not codec
// frames). Only Room.Send is used, never SendAll, whose check encodes the
// message once more without sending it.
type countingCodec struct {
	*msgpack.Codec
	out atomic.Uint64
}

func (c *countingCodec) AppendFrame(dst []byte, m message.Message) ([]byte, error) {
	n := len(dst)
	b, err := c.Codec.AppendFrame(dst, m)
	if err == nil {
		c.out.Add(uint64(len(b) - n))
	}
	return b, err
}

// Options configures a Session.
type Options struct {
	AppID    string // discovery and hello; peers with another one are ignored
	Name     string // display name in beacons; empty: the host name
	Loopback bool   // discovery on this machine only
	UDPPort  int    // beacon port; 0: the connector's default (8224)
}

// Session is one player's end of the game: a Room of every peer found,
// the replica Hub on it, and the world, published (by the host) or
// observed (by everyone else). Its methods belong to the game loop.
//
// The host is the peer with the lowest room id among this one and the
// peers in its room. Every peer works it out for itself; while the room
// is forming two peers may both think they host, so a view whose world
// names another host than the one this peer expects (World.Host) is
// closed and opened again, and the true host's snapshot wins. When the
// host leaves, the next lowest id takes over and publishes the world it
// last saw, less the player who left.
type Session struct {
	r     *room.Room
	h     *replica.Hub
	codec *countingCodec

	pub  *replica.Published[World] // while this peer hosts
	view *replica.View[World]      // while it does not
	// reopened is when the view was last reopened for a wrong host.
	reopened time.Time

	host   room.PeerID
	world  World                // what Draw shows: the host's world or the view's
	inputs map[room.PeerID]Keys // the host's: each player's last Input
	keys   Keys                 // this player's, as last sent
	sentTo room.PeerID          // the host the last Input went to

	resyncs int
	start   time.Time
}

// NewSession starts discovery.
func NewSession(ctx context.Context, o Options) (*Session, error) {
	c := &countingCodec{Codec: msgpack.NewCodec(nil)}
	c.Register(func() message.Message { return new(Input) })
	replica.Register(c)
	r, err := room.New(ctx, &room.Config{
		AppID: o.AppID, Codec: c, Name: o.Name, Loopback: o.Loopback, UDPPort: o.UDPPort,
		Interval: 250 * time.Millisecond, // beacons and pings: a room of 8 forms in about a second
	})
	if err != nil {
		return nil, err
	}
	s := &Session{r: r, h: replica.New(r, nil), codec: c, inputs: map[room.PeerID]Keys{}, start: time.Now()}
	s.host = r.ID()
	return s, nil
}

// Close leaves the room (a goodbye to every peer) and waits for its
// goroutines.
func (s *Session) Close() error { return s.r.Close() }

// ID is this player's room id.
func (s *Session) ID() uint64 { return uint64(s.r.ID()) }

// Host is the id of the peer this one takes for the host.
func (s *Session) Host() uint64 { return uint64(s.host) }

// Peers is the number of other peers in the room.
func (s *Session) Peers() int { return len(s.r.Peers()) }

// World is the world as this peer last saw it (the zero World until the
// host's snapshot arrives).
func (s *Session) World() World { return s.world }

// BytesOut is the number of bytes this peer has framed for sending.
func (s *Session) BytesOut() uint64 { return s.codec.out.Load() }

// Resyncs counts the replica's Resync events (a gap or a bad delta, after
// which the view asked for a fresh snapshot).
func (s *Session) Resyncs() int { return s.resyncs }

// Tick is one frame of the game, called from Ebitengine's Update (or the
// headless loop) with the keys this player holds: it pumps the room,
// hands the replica its messages, takes the players' inputs (as the
// host) or sends this one's (as a guest), moves the world one tick (as
// the host) and flushes the replica's deltas. It never blocks.
func (s *Session) Tick(keys Keys) error {
	if err := s.r.Xfer(); err != nil {
		return err
	}
	for ev := s.r.Get(); ev != nil; ev = s.r.Get() {
		if s.h.Handle(ev) {
			continue // a replica frame: snapshot, delta, observe, stop
		}
		switch ev := ev.(type) {
		case room.Message:
			if in, ok := ev.Msg.(*Input); ok {
				s.inputs[ev.Peer] = in.Keys
			}
		case room.Left:
			delete(s.inputs, ev.Peer)
		}
	}
	for ev := s.h.Get(); ev != nil; ev = s.h.Get() {
		if _, ok := ev.(replica.Resync); ok {
			s.resyncs++
		}
	}

	peers := s.r.Peers()
	s.host = s.r.ID()
	for _, p := range peers {
		s.host = min(s.host, p)
	}
	if s.host == s.r.ID() {
		if err := s.hostTick(peers, keys); err != nil {
			return err
		}
	} else {
		if err := s.guestTick(keys); err != nil {
			return err
		}
	}
	_ = s.h.Flush() // a full queue costs that observer a resync, not the game
	return s.r.Xfer()
}

// hostTick moves the world as the host.
func (s *Session) hostTick(peers []room.PeerID, keys Keys) error {
	if s.view != nil {
		s.view.Close()
		s.view = nil
	}
	if s.pub == nil {
		w := s.world // what this peer saw of the previous host's world, if anything
		w.Host = uint64(s.r.ID())
		p, err := replica.Publish(s.h, worldName, w)
		if err != nil {
			return err
		}
		s.pub = p
	}
	s.inputs[s.r.ID()] = keys
	members := []uint64{uint64(s.r.ID())}
	for _, p := range peers {
		members = append(members, uint64(p))
	}
	slices.Sort(members)
	members = members[:min(len(members), MaxPlayers)]
	s.pub.Update(func(w *World) {
		w.Seat(members)
		for _, id := range members {
			w.Move(id, s.inputs[room.PeerID(id)])
		}
		w.Tick++
	})
	s.world = s.pub.Value()
	return nil
}

// guestTick observes the world and sends this player's keys to the host.
func (s *Session) guestTick(keys Keys) error {
	if s.pub != nil {
		s.pub.Close()
		s.pub = nil
	}
	if s.view != nil && s.view.Ready() {
		if w, _ := s.view.Value(); w.Host != uint64(s.host) && time.Since(s.reopened) > 250*time.Millisecond {
			s.view.Close() // bound to a peer that hosted for a moment
			s.view = nil
		}
	}
	if s.view == nil {
		v, err := replica.Observe[World](s.h, worldName)
		if err != nil {
			return err
		}
		s.view, s.reopened = v, time.Now()
	}
	if s.view.Ready() {
		s.world, _ = s.view.Value()
	}
	if keys != s.keys || s.host != s.sentTo {
		if err := s.r.Send(s.host, &Input{Keys: keys}); err != nil {
			return nil // the host's queue is full or it just left: try again next tick
		}
		s.keys, s.sentTo = keys, s.host
	}
	return nil
}

// String is the status line: who this is, who hosts, what it sees.
func (s *Session) String() string {
	secs := time.Since(s.start).Seconds()
	return fmt.Sprintf("me=%016x host=%016x peers=%d players=%d tick=%d out=%.0fB/s",
		s.ID(), s.Host(), s.Peers(), s.world.Count(), s.world.Tick, float64(s.BytesOut())/max(secs, 1e-3))
}
