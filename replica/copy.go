package replica

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/cablecar-go/cablecar/room"
)

// StateCopier is implemented by values that shape their own copy (PB's
// getStateToCopy): SendCopy sends the struct StateToCopy returns (a value
// or a pointer) instead of the value itself.
type StateCopier interface {
	StateToCopy() any
}

// allowed is a name the receiver rebuilds: the state's schema and how to
// build the local value from a decoded state.
type allowed struct {
	s     *schema
	build func(state unsafe.Pointer) any
}

// Allow lets copies named name be rebuilt into a new *T (PB's
// setUnjellyableForClass). A copy of a name not allowed is refused with
// ErrUnregistered and nothing is built.
func Allow[T any](h *Hub, name string) error {
	return AllowAs(h, name, func(l *T, s T) { *l = s })
}

// AllowAs lets copies named name, whose state is shaped as S, be rebuilt
// into a local type L that accepts that state (PB's setCopyableState):
// set is called with a new *L and the decoded state; Copied.Value is the
// *L.
func AllowAs[S, L any](h *Hub, name string, set func(l *L, state S)) error {
	if err := checkName(name); err != nil {
		return err
	}
	s, err := schemaOf(reflect.TypeFor[S]())
	if err != nil {
		return err
	}
	h.allowed[name] = allowed{s: s, build: func(p unsafe.Pointer) any {
		l := new(L)
		set(l, *(*S)(p))
		return l
	}}
	return nil
}

// SendCopy sends a copy of v's state to peer under name: v's exported
// fields, less those tagged `replica:"-"`, or the struct its StateToCopy
// method returns. v is a struct or a pointer to one.
func SendCopy(h *Hub, peer room.PeerID, name string, v any) error {
	if err := checkName(name); err != nil {
		return err
	}
	if c, ok := v.(StateCopier); ok {
		v = c.StateToCopy()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return fmt.Errorf("%w: nil", ErrUnsupported)
	}
	s, err := schemaOf(rv.Type())
	if err != nil {
		return err
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	return h.sendTo(peer, &frame{b: appendCopy(nil, s, name, p.UnsafePointer())})
}

func (h *Hub) copied(from room.PeerID, r *reader) {
	hash := r.bytes(8)
	name := r.name()
	if r.err != nil {
		return
	}
	a, ok := h.allowed[name]
	if !ok {
		h.push(Refused{Peer: from, Name: name, Err: fmt.Errorf("%w: %q", ErrUnregistered, name)})
		return
	}
	state := reflect.New(a.s.typ)
	r.readState(a.s, leUint64(hash), state.UnsafePointer())
	if r.err != nil {
		h.push(Refused{Peer: from, Name: name, Err: r.err})
		return
	}
	h.push(Copied{Peer: from, Name: name, Value: a.build(state.UnsafePointer())})
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}
