package replica

import (
	"errors"
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
	p := &Published[T]{h: h, name: name, handle: h.handle, s: s, val: v, observers: map[room.PeerID]bool{}, f: newFields(s)}
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
	p.h.send(peer, p.sh.appendSnapshot(nil, p.handle, p.seq, p.name))
}

func (p *Published[T]) stop(peer room.PeerID) bool {
	if !p.observers[peer] {
		return false
	}
	delete(p.observers, peer)
	return true
}

func (p *Published[T]) flush(now time.Time, interval time.Duration) error {
	if !p.dirty || (interval > 0 && now.Sub(p.last) < interval) {
		return nil
	}
	p.dirty = false
	if !p.sh.diff(unsafe.Pointer(&p.val), &p.f) {
		return nil
	}
	p.seq++
	p.last = now
	if len(p.observers) == 0 {
		return nil
	}
	b := appendDelta(nil, p.s, p.handle, p.seq, p.f, unsafe.Pointer(&p.val))
	var errs []error
	for peer := range p.observers {
		if err := p.h.sendTo(peer, &frame{b: b}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// View is an observer's end of a value another peer published.
type View[T any] struct {
	h         *Hub
	name      string
	s         *schema
	val       T
	changed   Fields
	tmp       Fields
	seq       uint64
	owner     room.PeerID
	handle    uint64
	isBound   bool
	ready     bool
	resyncing bool
	ignored   int // deltas ignored since it last asked for a snapshot
	skipped   int
	onChange  func(Fields)
	closed    bool
}

// Observe starts observing name: every peer is asked for it (and each
// peer that joins later, until one answers); the first that publishes it
// sends a snapshot, then deltas. Only one view per name per hub.
func Observe[T any](h *Hub, name string) (*View[T], error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if h.views[name] != nil {
		return nil, fmt.Errorf("%w: %q is observed already", ErrName, name)
	}
	s, err := schemaOf(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	v := &View[T]{h: h, name: name, s: s, changed: newFields(s), tmp: newFields(s)}
	h.views[name] = v
	for _, p := range h.r.Peers() {
		h.send(p, appendNamed(nil, kindObserve, name))
	}
	return v, nil
}

// Value returns the current value (the zero T before the first
// snapshot) and the fields changed since the last call. It never blocks.
// Slices and maps in it are the view's: read them, do not change them.
func (v *View[T]) Value() (T, Fields) {
	f := Fields{s: v.s, bits: slices.Clone(v.changed.bits)}
	v.changed.clear()
	return v.val, f
}

// Ready says whether a snapshot has arrived.
func (v *View[T]) Ready() bool { return v.ready }

// Seq is the sequence number of the owner's state the view holds.
func (v *View[T]) Seq() uint64 { return v.seq }

// Skipped counts the deltas skipped as already applied (at or before the
// view's snapshot).
func (v *View[T]) Skipped() int { return v.skipped }

// OnChange sets a callback called, from Hub.Handle on its goroutine,
// after each snapshot or delta applied, with the fields it changed. Nil
// removes it.
func (v *View[T]) OnChange(fn func(Fields)) { v.onChange = fn }

// Close stops observing: the owner is told (its Stopped event) and the
// view gets nothing more.
func (v *View[T]) Close() {
	if v.closed {
		return
	}
	v.closed = true
	delete(v.h.views, v.name)
	if v.isBound {
		delete(v.h.byOwner, ownerKey{v.owner, v.handle})
		v.h.send(v.owner, appendNamed(nil, kindStop, v.name))
	} else {
		for _, p := range v.h.r.Peers() {
			v.h.send(p, appendNamed(nil, kindStop, v.name))
		}
	}
}

func (v *View[T]) bound() bool { return v.isBound }

func (v *View[T]) snapshot(p room.PeerID, h snapHeader, r *reader) {
	if v.isBound && v.owner != p {
		v.h.send(p, appendNamed(nil, kindStop, v.name)) // another owner: not ours
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
	for _, l := range v.s.leaves {
		v.changed.set(l.num)
	}
	if v.onChange != nil {
		v.onChange(v.changedAll())
	}
}

func (v *View[T]) changedAll() Fields {
	f := newFields(v.s)
	for _, l := range v.s.leaves {
		f.set(l.num)
	}
	return f
}

func (v *View[T]) delta(p room.PeerID, d delta, r *reader) {
	switch {
	case v.resyncing:
		if v.ignored++; v.ignored >= reask { // the request or its answer was lost
			v.ignored = 0
			v.h.send(v.owner, appendNamed(nil, kindObserve, v.name))
		}
		return // a snapshot is on its way
	case d.seq <= v.seq:
		v.skipped++
		return
	case d.seq != v.seq+1:
		v.resync(fmt.Errorf("%w: delta %d after %d", ErrGap, d.seq, v.seq))
		return
	}
	scratch := v.val
	r.readDeltaBody(v.s, &v.tmp, unsafe.Pointer(&scratch))
	if r.err != nil {
		v.resync(r.err)
		return
	}
	v.val, v.seq = scratch, d.seq
	v.changed.or(v.tmp)
	if v.onChange != nil {
		v.onChange(Fields{s: v.s, bits: slices.Clone(v.tmp.bits)})
	}
}

// reask is how many deltas a resyncing view lets pass before it asks for
// a snapshot again.
const reask = 32

func (v *View[T]) resync(err error) {
	v.resyncing, v.ignored = true, 0
	v.h.push(Resync{Name: v.name, Peer: v.owner, Err: err})
	v.h.send(v.owner, appendNamed(nil, kindObserve, v.name))
}

func (v *View[T]) ownerLeft(p room.PeerID) {
	if !v.isBound || v.owner != p {
		return
	}
	delete(v.h.byOwner, ownerKey{v.owner, v.handle})
	v.isBound, v.resyncing = false, false
	for _, peer := range v.h.r.Peers() {
		if peer != p {
			v.h.send(peer, appendNamed(nil, kindObserve, v.name))
		}
	}
}
