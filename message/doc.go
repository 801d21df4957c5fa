// Package message turns Go values into frames and frames back into values,
// wire-compatible with the Python package cable_car 1.0.1.
//
// A message is any type that implements [Message] (its name) and, for the
// byte codec, [ByteMessage] (its 1-byte code). User code defines its own
// struct types, usually with pointer receivers, and registers each with
// every codec that should carry it: [Register] (message.Register[Position](c))
// for plain structs, whose small values it allocates in blocks so that
// receiving a message costs no allocation of its own, or the codec's
// Register method with a factory of your own. A codec decodes only the types
// registered with it: a peer can never make us build a value we did not
// allow. Each codec value has its own registry; nothing is shared between
// codecs, so two codecs in one process never interfere.
//
// Register every type before a codec is used: registration is not safe for
// concurrent use with decoding or encoding. After that, a codec is safe for
// concurrent use. Registering a second type under a code, name or id that
// is taken panics, like http.Handle: it is a programmer error, found at
// start-up.
//
// # Choosing a codec
//
//   - Byte ([NewByteCodec]): cable_car's "byte" transport. The smallest and
//     fastest frames (2 to 255 bytes), for small, frequent messages such as
//     positions in a game, and to talk to a cable_car peer using "byte".
//     Each type writes and reads its own payload, up to 253 bytes.
//   - JSON ([NewJSONCodec]): cable_car's "json" transport. One line of JSON
//     per message, readable and self-describing; use it to talk to a
//     cable_car peer using "json" (the cpu_mon example does) or when a
//     human should read the stream. Fields map by name, no code to write.
//   - Msgpack (package github.com/cablecar-go/cablecar/message/msgpack):
//     our own compact binary frames for messages with no hand-written
//     payload or larger than 253 bytes (up to Options.MaxFrame, 1 MiB by
//     default). Both peers must be cablecar programs. It lives in its own
//     package so that only the programs that use it link the msgpack
//     library; it shares this package's Message, Codec, Options and errors.
//
// Programs that pick the codec by a flag use [NewCodec] and [RegisterAll];
// a codec package (msgpack) adds its name to NewCodec when it is imported
// ([RegisterCodec]).
//
// # Streaming decode
//
// Every codec implements [Codec]. Decode looks at the start of a buffer and
// returns the next message and the number of bytes it used, "need more
// bytes" (nil, 0, nil), or a [*DecodeError]. It never copies the buffer and
// keeps no reference to it, so a reader decodes frame after frame by
// slicing its buffer forward. A DecodeError says whether the stream can go
// on: Recoverable (Skip > 0) means the bad frame's extent is known and
// skipping Skip bytes reaches the next frame; otherwise the connection must
// be closed. Errors wrap the sentinels of errors.go (test with errors.Is)
// and name the code, name or id and the offset in the frame.
//
//	error            byte codec                  JSON codec                   msgpack codec
//	ErrBadLength     length byte 0 or 1: fatal   -                            length prefix < 6: fatal
//	ErrTooLarge      -                           no newline in MaxFrame       length prefix > MaxFrame:
//	                                             bytes: fatal                 fatal
//	ErrUnknownType   unregistered code: skip     unregistered name: skip      unregistered id: skip
//	ErrMalformed     -                           bad JSON, wrong shape,       body not one well-formed
//	                                             invalid UTF-8: skip line     msgpack value: skip
//	ErrBadPayload    DecodePayload error, or a   UnmarshalJSON error: skip    body does not fit the
//	                 payload for a type without                               type: skip
//	                 PayloadDecoder: skip
//	ErrBadPayload    a panic in the type's code (factory, DecodePayload, UnmarshalJSON, msgpack
//	                 hook) or in the codec, recovered: skip (the cause is a *PanicError)
//
// The Python original stalls forever on an unknown byte code, a zero length
// byte or a malformed JSON line; these codecs never do. Nor do they panic
// on a peer's bytes: a decoder that panics (a DecodePayload without a length
// check is the easy mistake) costs the frame, not the program. Decoders
// must still not panic (see [PayloadDecoder]): the value is left half set
// and a panic is slow.
//
// Encoding (AppendFrame) appends one whole frame to a caller's buffer and
// on error leaves it at its original length (an [*EncodeError] wrapping a
// sentinel): ErrUnknownType for a type not registered with the codec,
// ErrBadPayload when the value cannot be encoded or its encoding code
// panics, ErrTooLarge for a byte
// payload over 253 bytes or a JSON line or msgpack frame over MaxFrame.
// The byte codec's Encoder is also an [UncheckedEncoder]: its
// AppendFrameUnchecked lets a panic in AppendPayload propagate instead
// (the value and the goroutine are the caller's own), which saves a
// recover per frame; a Messenger's Send uses it.
//
// # Byte codec
//
// The cable_car 1.0.1 frame, exactly:
//
//	[len: 1 byte][code: 1 byte][payload: len-2 bytes]
//
// len counts the whole frame, itself and the code included (2..255). The
// registry is a table of 256 factories indexed by code, so decoding uses no
// map. A type with a payload implements [PayloadAppender] (append-style, into
// the caller's buffer: no allocation) and [PayloadDecoder] (reads from the
// read buffer, must not keep it); a type without them has an empty payload
// and so must hold no data: Register refuses a type with fields but no
// payload methods ([ErrNoPayloadMethods]), which would arrive zeroed.
// Built-ins: [MsgIdentify] 0x01 (payload "username@hostname", ASCII, split
// at the first '@' as cable_car does), [MsgJoin] 0x02, [MsgRetry] 0x03,
// [MsgQuit] 0x04. A length byte of 0 or 1 is fatal: the length is all that
// delimits frames, so once it is wrong nothing later can be trusted.
//
// The package examples define Position (code 0x10: uint32 id and three
// float32, each 4 bytes big-endian, network order: a 16-byte payload in an
// 18-byte frame), a model for user types. Encoding it takes no allocation,
// decoding one (the message itself); a factory made by [Blocks] takes that
// down to one allocation per 64 messages, for hot types. A type registered
// with [Register] gets typed paths (no reflection or interface assertion per
// frame), and a [Decoder] from [ByteCodec.NewDecoder], which a Messenger
// uses for its reads, allocates from blocks of its own, without the atomic
// operation that blocks shared by goroutines need.
//
// # JSON codec
//
// The cable_car line: ["ClassName",{"field":value,...}] and "\n", written
// byte for byte as Python's json.dumps(obj, separators=(',', ':')) writes
// it, so that a Python peer reads what we send and we read what it sends:
//
//   - Keys in struct field order; a field's name is its json tag, else its Go
//     name; tag options "omitempty" and "-" as in encoding/json; fields of
//     embedded structs are promoted as in encoding/json. The ",string"
//     option is refused at registration.
//   - Strings as with ensure_ascii: every character outside ' '..'~' as
//     \uXXXX (lower-case hex), above U+FFFF as a surrogate pair, short
//     escapes \" \\ \n \r \t \b \f; no HTML escaping of < > &. Invalid UTF-8
//     in a Go string is written as \ufffd.
//   - Floats as Python's repr: the shortest digits that read back to the
//     same value, "1.0" not "1", "1e-05", "1e+16", "0.1". A float32 is
//     written with the shortest digits that identify it as a float32 (0.1,
//     not 0.10000000149011612), which Python reads as the float64 with that
//     text and writes back the same way. NaN and ±Inf are written NaN,
//     Infinity and -Infinity, as Python does by default (they are not
//     standard JSON; Python and this codec read them); decoded likewise.
//   - Integers as decimal; bool as true/false; nil pointer and nil interface
//     as null; a nil slice as [] and a nil map as {} (Python has no nil list
//     or dict); []byte as base64, as encoding/json does; maps with string or
//     integer keys, written with sorted keys (a Go map has no order).
//   - A field type (or the message type itself) that implements
//     json.Marshaler writes its own JSON, which the codec compacts and
//     escapes to ASCII; json.Unmarshaler reads the raw value. This is the hook
//     for custom field encodings. A message type that implements both
//     instead of being a struct writes and reads the whole object.
//
// Decoding accepts any JSON spacing (Python's json.loads does), ignores
// unknown fields, matches a key to a field exactly, else without regard to
// case (as encoding/json does), sets a pointer, slice, map or interface to
// nil on null and leaves other fields as they are on null, and reads a JSON number into an `any` as int64 when it is an integer
// that fits, else float64 (so a Python int stays an int when written back).
// A value of the wrong shape (a string for an int, 7.0 for an int, a number
// that overflows its field), invalid UTF-8, raw control characters in a
// string and nesting deeper than 1000 are ErrMalformed; the line is skipped.
// A line longer than Options.MaxFrame bytes (1 MiB by default, newline
// included) is ErrTooLarge as soon as MaxFrame bytes are buffered without a
// newline, and fatal. While a line is incomplete, Decode scans all the
// buffered bytes for its newline again on each call; DecodeFrom (see
// [ResumableDecoder]), which the Messenger uses, starts where the last scan
// stopped, so a line trickled in byte by byte costs linear time.
//
// The codec does not use encoding/json, whose output differs from Python's
// (floats, non-ASCII, HTML escaping) and whose decoding is slow: on the
// position line, on the development machine (2 shared cores), encoding/json
// took about 430 ns and 3 allocations to marshal and 2.3 µs and 13
// allocations to unmarshal, against about 110 to 160 ns and none, and 105
// to 150 ns and one (the message), for this codec (BenchmarkJSON*). Instead
// each Go type is compiled once, at registration, into an encoder and a
// decoder that walk it with reflect (a pure cache keyed by type, like
// encoding/json's; it holds no registry). Short decimals (1.5, 300.125,
// 0.1) are written and read by exact fast paths that give strconv's result
// (tests compare them), other numbers by strconv.
package message
