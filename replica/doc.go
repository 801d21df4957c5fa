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
// See ExamplePublish, ExampleObserveFrom and ExampleSendCopy.
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
// later, until one answers) for name; ObserveFrom[T](h, peer, name) asks
// that peer alone. The owner sends a snapshot, then at Flush a delta
// carrying only the changed fields, at most one per Config.Interval
// (default 50 ms: changes in between are coalesced) and none when nothing
// changed; the deltas and snapshots of one Flush for one peer leave in
// one frame. The observer reads View.Value from the game loop without
// blocking or allocating: the current value and the fields changed since
// its last call (Fields.Has("Pos.X"), valid until the next call);
// OnChange sets an optional callback. The owner learns that an observer
// stopped (PB's stoppedObserving) by a Stopped event: at once when it
// closed its view (ErrStopped) or left (room.ErrPeerLeft), and when it
// crashed or froze within the Room's PeerTimeout (room.ErrPeerTimeout,
// room.ErrPeerReset).
//
// A snapshot is the state of the owner's last delta (sequence number n),
// so the deltas that follow it (n+1, ...) apply to it exactly. Each delta
// is applied once and in order: one at or before the view's sequence
// number is skipped (View.Skipped), one past the next is a gap. A delta
// carries its sequence number modulo 256 (it is compared with the view's
// within a window of 127 behind and 128 ahead): deltas are lost only
// where the owner knows it (a send that failed with a full queue, which
// Flush returns), and the owner then sends that observer a fresh snapshot
// at its next Flush instead of the next delta, so no run of 256 lost
// deltas goes unseen. A gap, or a delta that does not parse
// (ErrMalformed, ErrUnknownField, ErrMaskRange, ErrWrongType), is a Resync
// event: the view keeps its last good value (a delta is decoded into a
// scratch copy first), asks the owner for a fresh snapshot, ignores
// deltas until it arrives (asking again every 32 deltas, should the
// request be lost), and the game goes on. A snapshot of another shape is
// a Resync with ErrWrongType and the view stays as it was.
//
// # Owners and forgeries
//
// A view takes its value from one peer, its owner: ObserveFrom's peer, or
// for Observe the first peer that answers. A hub has one Observe view per
// name and one ObserveFrom view per name and peer, so it can observe a
// name every peer publishes (each machine's "stats") from each of them. A snapshot from any other peer
// is refused: a Refused event wrapping ErrNotOwner, counted by
// View.Refused, and the view keeps its value. A delta names its value by
// the owner's handle, looked up together with the peer it came from, so
// another peer's delta never reaches the view (Hub.Dropped counts it).
// Observe trusts every peer of the room for the first answer: any peer
// may publish the name first, or forge a snapshot before the owner's
// arrives. Where that matters, name the owner with ObserveFrom.
//
// A peer id is only as good as the connection that carries it. In a room
// without a secret any program on the LAN can join under an id of its
// choosing, so ObserveFrom binds a view to an id, not to a machine. A
// secure room (the session layer of the secure package: a join code or a
// password run through CPace, then records sealed per direction; on the
// Messenger today, Options.Secret) adds what the id lacks: every peer
// proved the secret, every frame travels sealed on a channel bound to
// both ends' peer ids, and a second connection that claims a peer's id
// must prove the same secret. There ObserveFrom's peer is the one that
// was let in under that id, and the state is as protected as any message:
// only peers that know the secret can read or forge it, and among them
// ObserveFrom still decides whose value a view takes.
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
// The compact float mode: a tag `replica:",step=S"` (or "N,step=S") on a
// float32 or float64 field, or on a struct or array field (then on every
// float in it), makes the value travel as the nearest multiple k of S, a
// zigzag varint of k: the observer gets k*S, within S/2 of the owner's
// value (plus the float's own rounding), and a change smaller than half a
// step is no change at all. With S = 0.01, a position up to ±81.91 takes
// 2 bytes and up to ±10485.75 3 bytes, against 5 for an exact fractional
// float32. NaN, ±Inf and values of 2^53 steps or more travel exactly
// (11 or 15 bytes). The step is part of the schema: both ends must have
// the same. It applies to the flattened fields, not to floats inside a
// slice or map.
//
// # Wire
//
// Every replica frame is one message of the Room's codec (ByteCode 0xE0:
// in the msgpack codec a RawMessage, its bytes after a 2-byte header up
// to 61 bytes and a 3-byte one up to 16380; in the byte codec the payload,
// up to 253 bytes, so larger values need msgpack), whose first byte is its
// kind:
//
//	0x80|handle seq8 mask values        delta of handle 1..127: the fields of the mask, in number order
//	'D' handle seq8 mask values         delta of a larger handle
//	'S' handle seq hash name values     snapshot: every field, in number order
//	'B' (len frame)...                  batch: several frames (not batches) for one peer
//	'C' hash name values                copy: every field
//	'O' name                            observe: send me a snapshot (again)
//	'X' name                            I stopped observing
//
// handle (the owner's number for the value, sent in its snapshot), seq
// and len are varints, seq8 the sequence number modulo 256 (one byte);
// hash is 8 bytes, little-endian: an FNV-64a of the field numbers, types
// and steps, which both ends must share (another shape is ErrWrongType);
// name is a varint length and 1..MaxName bytes. A frame in a batch that
// does not parse costs that frame alone. A mask starts with a varint h:
//
//	h&3 == 0  a bit mask: h>>2 zero bytes skipped, a varint count of
//	          bytes, the bytes (bit j of byte k is field 8*(skip+k)+j)
//	h&3 == 1  one run of 1..8 fields: h>>2 = first<<3 | (count-1)
//	h&3 == 2  h>>2 runs, each a varint gap from the end of the one before
//	          (the first from field 0) and a varint count-1
//
// and the owner writes the shortest. A value is:
//
//	bool              1 byte, 0 or 1
//	intN              zigzag varint, checked against the field's range
//	uintN             varint, checked against the field's range
//	float32, float64  varint zigzag(i)<<1 when the value is the integer i
//	                  (|i| < 2^24 or 2^53, not -0); else 0x01 and the 4 or
//	                  8 bytes of the value, little-endian
//	with step=S       zigzag varint of k (the value is k*S, |k| < 2^53);
//	                  or the varint 2^64-1 and the 4 or 8 bytes
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
// update of 1, 50 and 100 entities 9 / 342 / 668 B) through a Hub's
// Flush and the msgpack codec, framing included, names
// "entity-0".."entity-99", positions 3i, 5i moved by (7, -3) or by
// (7.37, -3.37):
//
//	                                   initial  delta1  delta50  delta100
//	whole-number positions               1392       7      236      429
//	fractional, step=0.01                1563       9      323      602
//	fractional, exact float32            1392      15      545     1045
//	Colyseus                             2671       9      342      668
//	msgpack of the struct 3009 (JSON: 3644) for every change
//
// Nothing is sent when nothing changed (idle-B: 0). Diff, encode and
// decode of the 100-entity delta (step=0.01) take 8–12 µs of CPU with no
// allocation (cpu-ns/op, the thread's CPU time; BenchmarkReplicaFloor,
// the change and a plain copy, 150–190 ns), measured on a 2-core VM shared
// with other jobs, whose wall-clock ns/op was anywhere from 13 to 280 µs.
package replica
