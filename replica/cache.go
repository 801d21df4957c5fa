package replica

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"
	"unsafe"

	"github.com/cablecar-go/cablecar/room"
)

// Published is the owner's end of a published value (PB's Cacheable).
type Published[T any] struct {
	h         *Hub
	name      string
	handle    uint64
	s         *schema
	val       T
	sh        *shadow
	seq       uint64
	observers map[room.PeerID]bool
	resend    map[room.PeerID]bool // observers that missed a frame: a snapshot at the next Flush
	dirty     bool
	last      time.Time
	f         Fields
	closed    bool
}

// Publish publishes v under name on h's Room: each peer that observes
// name gets a snapshot, then deltas (see Flush). T must be a struct (see
// the package documentation for the field types). A name published twice
// is ErrName.
func Publish[T any](h *Hub, name string, v T) (*Published[T], error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if h.pubs[name] != nil {
		return nil, fmt.Errorf("%w: %q is published already", ErrName, name)
	}
	s, err := schemaOf(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	h.handle++
	p := &Published[T]{h: h, name: name, handle: h.handle, s: s, val: v,
		observers: map[room.PeerID]bool{}, resend: map[room.PeerID]bool{}, f: newFields(s)}
	p.sh = newShadow(s, unsafe.Pointer(&p.val))
	h.pubs[name] = p
	for peer := range h.pending[name] {
		p.observe(peer)
	}
	h.npend -= len(h.pending[name])
	delete(h.pending, name)
	return p, nil
}

// Update changes the value through fn; the change leaves with the next
// delta that is due (Hub.Flush). Slices and maps change whole: a delta
// carries the whole new slice or map.
func (p *Published[T]) Update(fn func(*T)) {
	fn(&p.val)
	p.dirty = true
}

// Value returns the owner's current value.
func (p *Published[T]) Value() T { return p.val }

// Seq is the sequence number of the last delta sent (0: none yet).
func (p *Published[T]) Seq() uint64 { return p.seq }

// Observers lists the peers observing the value.
func (p *Published[T]) Observers() []room.PeerID {
	return slices.Sorted(maps.Keys(p.observers))
}

// Close stops publishing: observers get no more deltas (their views keep
// the last value). They stay waiting for the name: a later Publish of it
// on this hub sends them a snapshot.
func (p *Published[T]) Close() {
	if p.closed {
		return
	}
	p.closed = true
	delete(p.h.pubs, p.name)
	for peer := range p.observers {
		p.h.addPending(p.name, peer)
	}
}

func (p *Published[T]) observe(peer room.PeerID) {
	p.observers[peer] = true
	if p.h.send(peer, p.sh.appendSnapshot(p.h.scratch[:0], p.handle, p.seq, p.name)) != nil {
		p.resend[peer] = true
	}
}

func (p *Published[T]) stop(peer room.PeerID) bool {
	if !p.observers[peer] {
		return false
	}
	delete(p.observers, peer)
	delete(p.resend, peer)
	return true
}

func (p *Published[T]) missed(peer room.PeerID) {
	if p.observers[peer] {
		p.resend[peer] = true
	}
}

// flush queues the delta that is due, if any, for every observer (a
// snapshot instead for those that missed a frame).
func (p *Published[T]) flush(now time.Time, interval time.Duration) {
	if p.dirty && (interval <= 0 || now.Sub(p.last) >= interval) {
		p.dirty = false
		if p.sh.diff(unsafe.Pointer(&p.val), &p.f) {
			p.seq++
			p.last = now
			if len(p.observers) > len(p.resend) {
				rec := p.h.record(func(dst []byte) []byte {
					return appendDelta(dst, p.s, p.handle, p.seq, p.f, unsafe.Pointer(&p.val))
				})
				for peer := range p.observers {
					if !p.resend[peer] {
						p.h.queue(peer, rec)
					}
				}
			}
		}
	}
	if len(p.resend) == 0 {
		return
	}
	rec := p.h.record(func(dst []byte) []byte { return p.sh.appendSnapshot(dst, p.handle, p.seq, p.name) })
	for peer := range p.resend {
		p.h.queue(peer, rec)
	}
	clear(p.resend)
}

// View is an observer's end of a value another peer published.
type View[T any] struct {
	h         *Hub
	name      string
	s         *schema
	val       T
	changed   Fields
	spare     Fields // the set Value returned last: changed's next buffer
	tmp       Fields
	seq       uint64
	from      room.PeerID // ObserveFrom: the only peer it takes the value from
	fixed     bool        // from is set
	owner     room.PeerID
	handle    uint64
	isBound   bool
	ready     bool
	resyncing bool
	ignored   int // deltas ignored since it last asked for a snapshot
	skipped   int
	refused   int
	onChange  func(Fields)
	closed    bool
}

// Observe starts observing name, from whichever peer publishes it: every
// peer is asked for it (and each peer that joins later, until one
// answers); the first that answers with a snapshot becomes the value's
// owner for the view, which then takes snapshots and deltas from that
// peer alone. In a room where not every peer is trusted, use
// ObserveFrom. One view of Observe per name per hub.
func Observe[T any](h *Hub, name string) (*View[T], error) {
	return observe[T](h, name, 0, false)
}

// ObserveFrom starts observing name as published by peer, and by no other:
// only that peer is asked for it (again when it joins, if it is not in
// the room yet), and a snapshot of name from a peer that no view of name
// is bound to is refused (a Refused event wrapping ErrNotOwner;
// View.Refused counts them). A hub may observe one name from several
// peers (a view per peer), and with Observe too; one view per name and
// peer.
func ObserveFrom[T any](h *Hub, peer room.PeerID, name string) (*View[T], error) {
	return observe[T](h, name, peer, true)
}

func observe[T any](h *Hub, name string, from room.PeerID, fixed bool) (*View[T], error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if (!fixed && h.views[name] != nil) || (fixed && h.fromViews[fromKey{from, name}] != nil) {
		return nil, fmt.Errorf("%w: %q is observed already", ErrName, name)
	}
	s, err := schemaOf(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	v := &View[T]{h: h, name: name, s: s, changed: newFields(s), spare: newFields(s), tmp: newFields(s), from: from, fixed: fixed}
	if fixed {
		h.fromViews[fromKey{from, name}] = v
		h.byName[name] = append(h.byName[name], v)
	} else {
		h.views[name] = v
	}
	for _, p := range h.r.Peers() {
		if v.accepts(p) {
			h.send(p, appendNamed(h.scratch[:0], kindObserve, name))
		}
	}
	return v, nil
}

// accepts says whether the view may take its value from peer p.
func (v *View[T]) accepts(p room.PeerID) bool { return !v.fixed || p == v.from }

// Value returns the current value (the zero T before the first
// snapshot) and the fields changed since the last call. It never blocks
// and never allocates. The Fields are valid until the next call of Value
// (use Fields.Clone to keep them). Slices and maps in the value are the
// view's: read them, do not change them.
func (v *View[T]) Value() (T, Fields) {
	f := v.changed
	v.changed, v.spare = v.spare, f
	v.changed.clear()
	return v.val, f
}

// Ready says whether a snapshot has arrived.
func (v *View[T]) Ready() bool { return v.ready }

// Seq is the sequence number of the owner's state the view holds.
func (v *View[T]) Seq() uint64 { return v.seq }

// Owner is the peer the view takes its value from (ObserveFrom's peer,
// or the first that answered Observe), and whether it has one yet.
func (v *View[T]) Owner() (room.PeerID, bool) {
	if v.isBound {
		return v.owner, true
	}
	return v.from, v.fixed
}

// Skipped counts the deltas skipped as already applied (at or before the
// view's snapshot).
func (v *View[T]) Skipped() int { return v.skipped }

// Refused counts the snapshots refused because they came from a peer
// that is not the view's owner (ErrNotOwner).
func (v *View[T]) Refused() int { return v.refused }

// OnChange sets a callback called, from Hub.Handle on its goroutine,
// after each snapshot or delta applied, with the fields it changed (valid
// during the call). Nil removes it.
func (v *View[T]) OnChange(fn func(Fields)) { v.onChange = fn }

// Close stops observing: the owner is told (its Stopped event) and the
// view gets nothing more.
func (v *View[T]) Close() {
	if v.closed {
		return
	}
	v.closed = true
	if v.fixed {
		delete(v.h.fromViews, fromKey{v.from, v.name})
		list := slices.DeleteFunc(v.h.byName[v.name], func(w viewer) bool { return w == viewer(v) })
		if len(list) == 0 {
			delete(v.h.byName, v.name)
		} else {
			v.h.byName[v.name] = list
		}
	} else {
		delete(v.h.views, v.name)
	}
	if v.isBound {
		delete(v.h.byOwner, ownerKey{v.owner, v.handle})
		v.h.send(v.owner, appendNamed(v.h.scratch[:0], kindStop, v.name))
		return
	}
	for _, p := range v.h.r.Peers() {
		if v.accepts(p) {
			v.h.send(p, appendNamed(v.h.scratch[:0], kindStop, v.name))
		}
	}
}

func (v *View[T]) bound() bool { return v.isBound }

func (v *View[T]) snapshot(p room.PeerID, h snapHeader, r *reader) {
	if (v.isBound && v.owner != p) || !v.accepts(p) {
		v.h.refuse(p, v.name)
		return
	}
	var scratch T
	r.readState(v.s, h.hash, unsafe.Pointer(&scratch))
	if r.err != nil {
		v.h.push(Resync{Name: v.name, Peer: p, Err: r.err})
		return
	}
	if v.isBound {
		delete(v.h.byOwner, ownerKey{v.owner, v.handle})
	}
	v.val, v.seq, v.owner, v.handle = scratch, h.seq, p, h.handle
	v.isBound, v.ready, v.resyncing = true, true, false
	v.h.byOwner[ownerKey{p, h.handle}] = v
	v.tmp.clear()
	for _, l := range v.s.leaves {
		v.tmp.set(l.num)
	}
	v.changed.or(v.tmp)
	if v.onChange != nil {
		v.onChange(v.tmp)
	}
}

func (v *View[T]) refusedOne() { v.refused++ }

func (v *View[T]) delta(p room.PeerID, d delta, r *reader) {
	switch diff := int8(d.seq - byte(v.seq)); {
	case v.resyncing:
		if v.ignored++; v.ignored >= reask { // the request or its answer was lost
			v.ignored = 0
			v.h.send(v.owner, appendNamed(v.h.scratch[:0], kindObserve, v.name))
		}
		return // a snapshot is on its way
	case diff <= 0:
		v.skipped++
		return
	case diff != 1:
		v.resync(fmt.Errorf("%w: delta %d after %d", ErrGap, v.seq+uint64(diff), v.seq))
		return
	}
	scratch := v.val
	r.readDeltaBody(v.s, &v.tmp, unsafe.Pointer(&scratch))
	if r.err != nil {
		v.resync(r.err)
		return
	}
	v.val = scratch
	v.seq++
	v.changed.or(v.tmp)
	if v.onChange != nil {
		v.onChange(v.tmp)
	}
}

// reask is how many deltas a resyncing view lets pass before it asks for
// a snapshot again.
const reask = 32

func (v *View[T]) resync(err error) {
	v.resyncing, v.ignored = true, 0
	v.h.push(Resync{Name: v.name, Peer: v.owner, Err: err})
	v.h.send(v.owner, appendNamed(v.h.scratch[:0], kindObserve, v.name))
}

func (v *View[T]) joined(p room.PeerID) {
	if !v.isBound && v.accepts(p) {
		v.h.send(p, appendNamed(v.h.scratch[:0], kindObserve, v.name))
	}
}

func (v *View[T]) ownerLeft(p room.PeerID) {
	if !v.isBound || v.owner != p {
		return
	}
	delete(v.h.byOwner, ownerKey{v.owner, v.handle})
	v.isBound, v.resyncing = false, false
	for _, peer := range v.h.r.Peers() {
		if peer != p && v.accepts(peer) {
			v.h.send(peer, appendNamed(v.h.scratch[:0], kindObserve, v.name))
		}
	}
}
