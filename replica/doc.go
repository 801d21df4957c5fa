// Package replica shares Go structs between the peers of a room.Room, as
// Twisted PB's Copyable and Cacheable do: a copy of a struct's state sent
// once, and a published value whose observers get a full snapshot and
// then only the fields that changed.
//
// A Hub is the replica's end of one Room. It has no goroutine of its
// own: the game loop hands it the Room's events, flushes it once a
// frame, and reads its events:
//
//	replica.Register(codec)            // before room.New, like every type
//	r, _ := room.New(ctx, &room.Config{Codec: codec, ...})
//	h := replica.New(r, nil)
//
//	r.Xfer()
//	for ev := r.Get(); ev != nil; ev = r.Get() {
//		if h.Handle(ev) {
//			continue // the replica's own message
//		}
//		... // the game's events (Joined and Left too: Handle looks at them and passes them on)
//	}
//	for ev := h.Get(); ev != nil; ev = h.Get() {
//		... // replica.Copied, Refused, Stopped, Resync
//	}
//	h.Flush()                          // the deltas that are due
//	r.Xfer()
//
// See ExamplePublish and ExampleSendCopy.
//
// # Copyable
//
// SendCopy(h, peer, name, v) sends v's state: its exported fields, less
// those tagged `replica:"-"` (a password never leaves), or the struct its
// StateToCopy method returns (PB's getStateToCopy). The receiver builds
// it only for a name it allowed: Allow[T](h, name) builds a *T,
// AllowAs(h, name, set) a local type of its own from that state (PB's
// setCopyableState). A copy of any other name is a Refused event wrapping
// ErrUnregistered, and nothing is built; a state of another shape (its
// field numbers and types, see Wire) is Refused with ErrWrongType.
//
// # Cacheable
//
// Publish(h, name, v) publishes v; the owner changes it with Update(func
// (*T)). Observe[T](h, name) asks every peer (and each peer that joins
// later, until one answers) for name; the owner sends a snapshot, then
// at Flush a delta carrying only the changed fields, at most one per
// Config.Interval (default 50 ms: changes in between are coalesced) and
// none when nothing changed. The observer reads View.Value from the game
// loop without blocking: the current value and the fields changed since
// its last call (Fields.Has("Pos.X")); OnChange sets an optional
// callback. The owner learns that an observer stopped (PB's
// stoppedObserving) by a Stopped event: at once when it closed its view
// (ErrStopped) or left (room.ErrPeerLeft), and when it crashed or froze
// within the Room's PeerTimeout (room.ErrPeerTimeout, room.ErrPeerReset).
//
// A snapshot is the state of the owner's last delta (sequence number n),
// so the deltas that follow it (n+1, ...) apply to it exactly. Each delta
// is applied once and in order: one at or before the view's sequence
// number is skipped (View.Skipped), one past the next is a gap. A gap, or
// a delta that does not parse (ErrMalformed, ErrUnknownField,
// ErrMaskRange, ErrWrongType), is a Resync event: the view keeps its last
// good value (a delta is decoded into a scratch copy first), asks the
// owner for a fresh snapshot, ignores deltas until it arrives (asking
// again every 32 deltas, should the request be lost), and the game goes
// on. The first peer that answers an Observe is the value's owner for
// the view; a snapshot of another shape is a Resync with ErrWrongType and
// the view stays as it was. A send that fails at the owner (messenger.ErrQueueFull:
// Flush returns it) costs that observer a delta, hence a resync.
//
// # Types
//
// T is a struct. Its exported fields travel, except those tagged
// `replica:"-"`; unexported fields never do. Nested structs and arrays
// are flattened: each of their fields is a field of its own with a number
// of its own (Entities[3].X), so a delta carries one entity's X alone.
// Slices and maps change whole in this version: a delta carries the
// whole new slice or map when anything in it changed (a change made in
// place is found too: the owner compares encodings). Pointers,
// interfaces, channels, funcs and recursive types are ErrUnsupported.
//
// Field numbers follow struct order: the first field is 0, each field
// takes the next number after the previous one (a nested struct or array
// as many as it has fields). A tag `replica:"N"` starts a field at N
// (N at least the next number), so that fields can be added or removed
// without renumbering those after them; use tags for state that peers of
// different versions share. A type has at most MaxFields (4096) numbers.
//
// # Wire
//
// Every replica frame is one message of the Room's codec (ByteCode 0xE0,
// a msgpack bin in the msgpack codec, the payload in the byte codec: up
// to 253 bytes there, so larger values need msgpack), whose first byte is
// its kind:
//
//	'S' handle seq hash name values   snapshot: every field, in number order
//	'D' handle seq mask values        delta: the fields of the mask, in number order
//	'C' hash name values              copy: every field
//	'O' name                          observe: send me a snapshot (again)
//	'X' name                          I stopped observing
//
// handle (the owner's number for the value, sent in its snapshot) and
// seq are varints; hash is 8 bytes, little-endian: an FNV-64a of the
// field numbers and types, which both ends must share (another shape is
// ErrWrongType); name is a varint length and 1..MaxName bytes. The mask
// is a bit mask of field numbers without its leading and trailing zero
// bytes: a varint count of zero bytes skipped, a varint count of bytes,
// the bytes (bit j of byte k is field 8*(skip+k)+j). A value is:
//
//	bool              1 byte, 0 or 1
//	intN              zigzag varint, checked against the field's range
//	uintN             varint, checked against the field's range
//	float32, float64  varint zigzag(i)<<1 when the value is the integer i
//	                  (|i| < 2^24 or 2^53, not -0); else 0x01 and the 4 or
//	                  8 bytes of the value, little-endian
//	string, []byte    varint length, bytes
//	slice, map        varint count, elements (map entries sorted by key encoding)
//	array, struct     (inside a slice or map) elements, or fields, in order
//
// The parser is bounded: every length and count is checked against the
// bytes left before anything is allocated, and a mask against the type's
// fields; errors wrap the sentinels in errors.go.
//
// # Bytes on the wire
//
// BenchmarkReplicaBytes measures Colyseus's schema benchmark (100
// entities of {Name string; X, Y float32}: initial state 2671 B, an x/y
// update of 1, 50 and 100 entities 9 / 342 / 668 B) with the msgpack
// codec, its 8- or 9-byte framing included (6 bytes of frame, 2 or 3 of
// bin header), names "entity-0".."entity-99":
//
//	                     initial  delta1  delta50  delta100
//	integer positions     1398      17      243      437
//	fractional positions  1398      25      553     1053
//	Colyseus              2671       9      342      668
//	msgpack of the struct 3009 (JSON: 3644) for every change
//
// With positions in whole units (pixels, tiles) the replica is below
// Colyseus except for a single entity's update, where the msgpack
// framing alone is 8 bytes; with fractional float32 positions each one
// costs 5 bytes. Nothing is sent when nothing changed. Diff, encode and
// decode of the 100-entity delta take 5.0–7.2 µs, 0 allocations
// (go test -bench ReplicaBytes -count=5, 2-core VM shared with other
// jobs).
package replica
