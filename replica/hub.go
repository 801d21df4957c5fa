package replica

import (
	"errors"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/room"
)

// DefaultInterval is Config.Interval when the field is zero.
const DefaultInterval = 50 * time.Millisecond

// DefaultMaxPending is Config.MaxPending when the field is zero.
const DefaultMaxPending = 1024

// Config configures a Hub. The zero value (or nil) works.
type Config struct {
	// Interval is the least time between two deltas of one published
	// value: changes made in between are coalesced into one delta. Zero
	// means DefaultInterval (50 ms); a negative value, a delta at every
	// Flush that finds a change.
	Interval time.Duration
	// MaxPending bounds the requests to observe a name this hub does not
	// publish (yet), kept so that a later Publish answers them. Zero means
	// DefaultMaxPending (1024).
	MaxPending int
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Hub is the replica's end of one Room: it sends and receives copies,
// publishes values and keeps views of other peers' values. It has no
// goroutine: the game loop hands it the Room's events (Handle), calls
// Flush once a frame, and reads its events (Get). Like the Room, it
// belongs to one goroutine at a time.
type Hub struct {
	r      *room.Room
	cfg    Config
	sendTo func(room.PeerID, message.Message) error // r.Send; tests replace it

	allowed map[string]allowed
	pubs    map[string]publication
	views   map[string]viewer
	byOwner map[ownerKey]viewer
	pending map[string]map[room.PeerID]bool
	npend   int
	handle  uint64
	events  []Event // from head on: not yet returned by Get
	head    int
	errs    []error
}

type ownerKey struct {
	peer   room.PeerID
	handle uint64
}

// publication is a Published[T] as the hub sees it.
type publication interface {
	observe(p room.PeerID)
	stop(p room.PeerID) bool
	flush(now time.Time, interval time.Duration) error
}

// viewer is a View[T] as the hub sees it.
type viewer interface {
	snapshot(p room.PeerID, h snapHeader, r *reader)
	delta(p room.PeerID, d delta, r *reader)
	ownerLeft(p room.PeerID)
	bound() bool
}

// New returns a Hub on r. The Room's codec must carry the replica's
// message (Register it before the Room is made); a Send on a codec that
// does not gives the codec's *message.EncodeError.
func New(r *room.Room, cfg *Config) *Hub {
	h := &Hub{r: r, allowed: map[string]allowed{}, pubs: map[string]publication{},
		views: map[string]viewer{}, byOwner: map[ownerKey]viewer{}, pending: map[string]map[room.PeerID]bool{}}
	h.sendTo = r.Send
	if cfg != nil {
		h.cfg = *cfg
	}
	if h.cfg.Interval == 0 {
		h.cfg.Interval = DefaultInterval
	}
	if h.cfg.MaxPending <= 0 {
		h.cfg.MaxPending = DefaultMaxPending
	}
	if h.cfg.Now == nil {
		h.cfg.Now = time.Now
	}
	return h
}

// Event is what Get returns: Copied, Refused, Stopped or Resync.
type Event interface{ replicaEvent() }

// Copied: a peer sent a copy of a state this hub allowed; Value is the
// *T (Allow) or *L (AllowAs) built from it.
type Copied struct {
	Peer  room.PeerID
	Name  string
	Value any
}

// Refused: a copy that was not built. Err wraps ErrUnregistered (a name
// not allowed), ErrWrongType (another schema) or ErrMalformed.
type Refused struct {
	Peer room.PeerID
	Name string
	Err  error
}

// Stopped: an observer of a value this hub publishes stopped observing
// it, as PB's stoppedObserving. Reason wraps ErrStopped (it closed its
// view) or is the Room's Left reason (room.ErrPeerLeft,
// room.ErrPeerTimeout for a crash, ...).
type Stopped struct {
	Name   string
	Peer   room.PeerID
	Reason error
}

// Resync: a view dropped a delta (Err wraps ErrGap, ErrMalformed,
// ErrUnknownField, ErrMaskRange or ErrWrongType), kept its last good
// value and asked its owner for a fresh snapshot.
type Resync struct {
	Name string
	Peer room.PeerID
	Err  error
}

func (Copied) replicaEvent()  {}
func (Refused) replicaEvent() {}
func (Stopped) replicaEvent() {}
func (Resync) replicaEvent()  {}

// Get returns the next event, or nil when there is none. It never blocks.
func (h *Hub) Get() Event {
	if h.head == len(h.events) {
		h.head, h.events = 0, h.events[:0]
		return nil
	}
	ev := h.events[h.head]
	h.events[h.head] = nil
	h.head++
	return ev
}

func (h *Hub) push(ev Event) { h.events = append(h.events, ev) }

// Handle looks at an event the Room's Get returned and reports whether it
// was the replica's own (a message the game must not handle). Joined and
// Left are looked at (views ask a new peer for their values; an observer
// that left stops observing) and not taken: it returns false for them.
func (h *Hub) Handle(ev room.Event) bool {
	switch ev := ev.(type) {
	case room.Message:
		f, ok := ev.Msg.(*frame)
		if !ok {
			return false
		}
		h.received(ev.Peer, f.b)
		return true
	case room.Joined:
		for name, v := range h.views {
			if !v.bound() {
				h.send(ev.Peer, appendNamed(nil, kindObserve, name))
			}
		}
	case room.Left:
		for _, set := range h.pending {
			if set[ev.Peer] {
				delete(set, ev.Peer)
				h.npend--
			}
		}
		for name, p := range h.pubs {
			if p.stop(ev.Peer) {
				h.push(Stopped{Name: name, Peer: ev.Peer, Reason: ev.Reason})
			}
		}
		for _, v := range h.views {
			v.ownerLeft(ev.Peer)
		}
	}
	return false
}

func (h *Hub) received(from room.PeerID, b []byte) {
	r := &reader{p: b}
	switch r.byte() {
	case kindDelta:
		d := r.readDeltaHeader()
		if v := h.byOwner[ownerKey{from, d.handle}]; v != nil && r.err == nil {
			v.delta(from, d, r)
		}
	case kindSnapshot:
		sh := r.readSnapHeader()
		if v := h.views[sh.name]; v != nil && r.err == nil {
			v.snapshot(from, sh, r)
		} else if r.err == nil {
			h.send(from, appendNamed(nil, kindStop, sh.name))
		}
	case kindCopy:
		h.copied(from, r)
	case kindObserve:
		name := r.name()
		r.end()
		if r.err != nil {
			return
		}
		if p := h.pubs[name]; p != nil {
			p.observe(from)
		} else {
			h.addPending(name, from)
		}
	case kindStop:
		name := r.name()
		r.end()
		if r.err != nil {
			return
		}
		if set := h.pending[name]; set[from] {
			delete(set, from)
			h.npend--
		}
		if p := h.pubs[name]; p != nil && p.stop(from) {
			h.push(Stopped{Name: name, Peer: from, Reason: ErrStopped})
		}
	}
	// Anything else (an unknown kind, a bad frame) is dropped.
}

// send sends one replica frame to a peer; a full queue or a peer gone is
// remembered for Flush's result (a view that misses a delta resyncs).
func (h *Hub) send(p room.PeerID, b []byte) {
	if err := h.sendTo(p, &frame{b: b}); err != nil {
		h.errs = append(h.errs, err)
	}
}

// Flush sends the deltas that are due: for each published value changed
// since its last delta and whose last delta is at least Config.Interval
// old, one delta to each observer. Nothing is sent for a value that did
// not change. Call it once a frame, before the Room's Xfer. It returns the
// errors of the sends since the last Flush (messenger.ErrQueueFull for a
// peer whose queue is full: that observer will resync), joined.
func (h *Hub) Flush() error {
	now := h.cfg.Now()
	for _, p := range h.pubs {
		if err := p.flush(now, h.cfg.Interval); err != nil {
			h.errs = append(h.errs, err)
		}
	}
	err := errors.Join(h.errs...)
	h.errs = h.errs[:0]
	return err
}

// addPending remembers that peer asked for name, which is not published,
// up to Config.MaxPending requests.
func (h *Hub) addPending(name string, peer room.PeerID) {
	set := h.pending[name]
	if set[peer] || h.npend >= h.cfg.MaxPending {
		return
	}
	if set == nil {
		set = map[room.PeerID]bool{}
		h.pending[name] = set
	}
	set[peer] = true
	h.npend++
}

func checkName(name string) error {
	if name == "" || len(name) > MaxName {
		return fmt.Errorf("%w: %q", ErrName, name)
	}
	return nil
}
