package replica

import (
	"encoding/binary"
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
	views   map[string]viewer // Observe's, by name
	// ObserveFrom's, by peer and name, and by name.
	fromViews map[fromKey]viewer
	byName    map[string][]viewer
	byOwner   map[ownerKey]viewer
	pending   map[string]map[room.PeerID]bool
	npend     int
	handle    uint64
	events    []Event // from head on: not yet returned by Get
	head      int
	errs      []error
	dropped   int

	scratch []byte // a frame being built for send
	fr      frame  // the message send hands to the Room (encoded at once)
	arena   []byte // Flush: the records queued, back to back
	out     map[room.PeerID][]span
	peers   []room.PeerID // the keys of out, in the order first queued
	batch   []byte
}

// span is a record in the arena.
type span struct{ start, end int }

type fromKey struct {
	peer room.PeerID
	name string
}

type ownerKey struct {
	peer   room.PeerID
	handle uint64
}

// publication is a Published[T] as the hub sees it.
type publication interface {
	observe(p room.PeerID)
	stop(p room.PeerID) bool
	flush(now time.Time, interval time.Duration)
	missed(p room.PeerID)
}

// viewer is a View[T] as the hub sees it.
type viewer interface {
	snapshot(p room.PeerID, h snapHeader, r *reader)
	delta(p room.PeerID, d delta, r *reader)
	ownerLeft(p room.PeerID)
	joined(p room.PeerID)
	refusedOne()
}

// New returns a Hub on r. The Room's codec must carry the replica's
// message (Register it before the Room is made); a Send on a codec that
// does not gives the codec's *message.EncodeError.
func New(r *room.Room, cfg *Config) *Hub {
	h := &Hub{r: r, allowed: map[string]allowed{}, pubs: map[string]publication{},
		views: map[string]viewer{}, byOwner: map[ownerKey]viewer{}, pending: map[string]map[room.PeerID]bool{},
		out: map[room.PeerID][]span{}, fromViews: map[fromKey]viewer{}, byName: map[string][]viewer{}}
	if r != nil {
		h.sendTo = r.Send
	}
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

// Refused: a copy that was not built (Err wraps ErrUnregistered for a name
// not allowed, ErrWrongType for another schema, or ErrMalformed), or a
// snapshot that was not applied because Peer is not the view's owner
// (Err wraps ErrNotOwner).
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
		for _, v := range h.views {
			v.joined(ev.Peer)
		}
		for _, v := range h.fromViews {
			v.joined(ev.Peer)
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
		for _, v := range h.fromViews {
			v.ownerLeft(ev.Peer)
		}
	}
	return false
}

// Dropped counts the frames from peers that were dropped: those that do
// not parse, of an unknown kind, or deltas for no view of the sending
// peer (a late delta for a closed view, or another peer's forgery: a
// delta names its value by the owner's handle, so it can only reach a
// view bound to the peer that sent it).
func (h *Hub) Dropped() int { return h.dropped }

func (h *Hub) received(from room.PeerID, b []byte) {
	if len(b) == 0 || b[0] != kindBatch {
		h.receivedOne(from, b)
		return
	}
	r := &reader{p: b[1:]}
	for len(r.p) > 0 {
		item := r.bytes(r.uvarint())
		if r.err != nil {
			h.dropped++ // the rest of the batch cannot be found
			return
		}
		if len(item) > 0 && item[0] == kindBatch {
			h.dropped++ // batches do not nest
			continue
		}
		h.receivedOne(from, item)
	}
}

func (h *Hub) receivedOne(from room.PeerID, b []byte) {
	r := &reader{p: b}
	switch k := r.byte(); {
	case r.err != nil:
	case k >= kindShort || k == kindDelta:
		d := r.readDeltaHeader(k)
		v := h.byOwner[ownerKey{from, d.handle}]
		if v == nil || r.err != nil {
			h.dropped++
			return
		}
		v.delta(from, d, r)
		return
	case k == kindSnapshot:
		sh := r.readSnapHeader()
		if r.err != nil {
			break
		}
		switch v := h.fromViews[fromKey{from, sh.name}]; {
		case v != nil:
			v.snapshot(from, sh, r)
		case h.views[sh.name] != nil:
			h.views[sh.name].snapshot(from, sh, r)
		case len(h.byName[sh.name]) > 0:
			h.refuse(from, sh.name)
		default:
			h.send(from, appendNamed(h.scratch[:0], kindStop, sh.name)) // not observed (any more)
		}
		return
	case k == kindCopy:
		h.copied(from, r)
		return
	case k == kindObserve:
		name := r.name()
		r.end()
		if r.err != nil {
			break
		}
		if p := h.pubs[name]; p != nil {
			p.observe(from)
		} else {
			h.addPending(name, from)
		}
		return
	case k == kindStop:
		name := r.name()
		r.end()
		if r.err != nil {
			break
		}
		if set := h.pending[name]; set[from] {
			delete(set, from)
			h.npend--
		}
		if p := h.pubs[name]; p != nil && p.stop(from) {
			h.push(Stopped{Name: name, Peer: from, Reason: ErrStopped})
		}
		return
	}
	h.dropped++ // an unknown kind or a bad frame
}

// refuse refuses a snapshot of name from peer p, which is not the owner
// of any view of name: a Refused event, counted by each view of the name
// bound to another peer, and a stop to p.
func (h *Hub) refuse(p room.PeerID, name string) {
	if v := h.views[name]; v != nil {
		v.refusedOne()
	}
	for _, v := range h.byName[name] {
		v.refusedOne()
	}
	h.push(Refused{Peer: p, Name: name, Err: fmt.Errorf("%w: %q from peer %016x", ErrNotOwner, name, uint64(p))})
	h.send(p, appendNamed(h.scratch[:0], kindStop, name))
}

// send sends one replica frame to a peer at once; a full queue or a peer
// gone is remembered for Flush's result.
func (h *Hub) send(p room.PeerID, b []byte) error {
	h.scratch = b[:0]
	h.fr.b = b
	err := h.sendTo(p, &h.fr)
	h.fr.b = nil
	if err != nil {
		h.errs = append(h.errs, err)
	}
	return err
}

// record appends a record to the arena with fn and returns it.
func (h *Hub) record(fn func([]byte) []byte) span {
	start := len(h.arena)
	h.arena = fn(h.arena)
	return span{start, len(h.arena)}
}

// queue queues record rec for peer p until the end of Flush.
func (h *Hub) queue(p room.PeerID, rec span) {
	q := h.out[p]
	if len(q) == 0 {
		h.peers = append(h.peers, p)
	}
	h.out[p] = append(q, rec)
}

// maxBatch is the most bytes of records batched into one frame: a frame
// of the msgpack codec with a 3-byte header. A batch the codec refuses as
// too large (the byte codec's 253 bytes) is sent again in smaller ones.
const maxBatch = 16000

// byteBatch is the most bytes of a batch in the byte codec.
const byteBatch = 253

// Flush sends the deltas that are due: for each published value changed
// since its last delta and whose last delta is at least Config.Interval
// old, one delta to each observer; the deltas (and snapshots) for one
// peer leave in one frame. Nothing is sent for a value that did not
// change. Call it once a frame, before the Room's Xfer. It returns the
// errors of the sends since the last Flush (messenger.ErrQueueFull for a
// peer whose queue is full: that observer gets a fresh snapshot at the
// next Flush instead), joined.
func (h *Hub) Flush() error {
	now := h.cfg.Now()
	for _, p := range h.pubs {
		p.flush(now, h.cfg.Interval)
	}
	for _, peer := range h.peers {
		recs := h.out[peer]
		if err := h.sendBatches(peer, recs, maxBatch); err != nil {
			h.errs = append(h.errs, err)
			for _, p := range h.pubs {
				p.missed(peer)
			}
		}
		h.out[peer] = recs[:0]
	}
	h.peers = h.peers[:0]
	h.arena = h.arena[:0]
	if len(h.out) > 4*len(h.pubs)+16 {
		clear(h.out) // peers gone
	}
	err := errors.Join(h.errs...)
	h.errs = h.errs[:0]
	return err
}

// sendBatches sends recs to peer in frames of at most limit bytes (a
// record longer goes alone), and returns the first error.
func (h *Hub) sendBatches(peer room.PeerID, recs []span, limit int) error {
	var first error
	for len(recs) > 0 {
		n, size := 1, 1+uvarintLen(uint64(recs[0].end-recs[0].start))+recs[0].end-recs[0].start
		for n < len(recs) {
			l := recs[n].end - recs[n].start
			if size+uvarintLen(uint64(l))+l > limit {
				break
			}
			size += uvarintLen(uint64(l)) + l
			n++
		}
		var err error
		if n == 1 {
			err = h.sendFrame(peer, h.arena[recs[0].start:recs[0].end])
		} else {
			b := append(h.batch[:0], kindBatch)
			for _, r := range recs[:n] {
				b = binary.AppendUvarint(b, uint64(r.end-r.start))
				b = append(b, h.arena[r.start:r.end]...)
			}
			h.batch = b
			err = h.sendFrame(peer, b)
			if errors.Is(err, message.ErrTooLarge) && limit > byteBatch {
				err = h.sendBatches(peer, recs[:n], byteBatch)
			}
		}
		if err != nil && first == nil {
			first = err
		}
		recs = recs[n:]
	}
	return first
}

func (h *Hub) sendFrame(p room.PeerID, b []byte) error {
	h.fr.b = b
	err := h.sendTo(p, &h.fr)
	h.fr.b = nil
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
