// Package msgpack is cablecar's msgpack codec: messages as msgpack
// (github.com/vmihailenco/msgpack/v5) bodies in length-prefixed frames, for
// messages with no hand-written payload or larger than a byte frame allows
// (253 bytes). Both peers must be cablecar programs: cable_car 1.0.1 has no
// msgpack transport.
//
// It is a package of its own so that a program links the msgpack library
// only when it imports this package; the shared vocabulary (message.Message,
// message.Codec, message.Options, message.DecodeError and the sentinel
// errors) lives in package message. Importing it also makes the codec known
// to message.NewCodec as "msgpack", for programs that pick the codec by a
// flag. A program that imports this package and the library itself (for
// CustomEncoder hooks) names one of them: vmsgpack
// "github.com/vmihailenco/msgpack/v5".
//
// # Frames
//
// Frame layout:
//
//	[len: 4 bytes, big-endian uint32][id: 2 bytes, big-endian uint16][body]
//
// len counts the whole frame, itself included (so at least 6), and is
// checked against Options.MaxFrame as soon as its 4 bytes are buffered. id
// picks the type: a type's MsgpackID when it implements [Message],
// else its ByteCode (the built-ins are 1 to 4), else the id given to
// [Codec.RegisterID]. body is exactly one msgpack value, written by
// github.com/vmihailenco/msgpack/v5: a struct is a map keyed by field names
// (msgpack tag, else json tag, else Go name; struct tag options and the
// library's CustomEncoder/CustomDecoder and Marshaler/Unmarshaler
// interfaces work as documented there), integers in their smallest form,
// and the entries of every map in key order (strings bytewise, as the JSON
// codec writes them; integers by value), so that a frame is a function of
// the value: the library sorts map[string]string, map[string]bool and
// map[string]any itself (Encoder.SetSortMapKeys), and the codec sorts the
// maps of other types after encoding, for the types that can hold them.
// The example position frame is 32 to 36 bytes, depending on the id.
//
// A [RawMessage] (a type with a compact binary form of its own, such as
// the replica package's frames) is framed as its payload, not as a msgpack
// value, and when its id is below 256 with a shorter header:
//
//	[10nnnnnn][id: 1 byte][payload]                 frames of 2..63 bytes
//	[11nnnnnn nnnnnnnn][id: 1 byte][payload]        frames of 3..16383 bytes
//
// n is the frame's length (header included), big-endian. A length prefix
// never starts with a set top bit (MaxFrame is at most 2^31-1), so the
// three headers cannot be mistaken for one another; Decode reads any type
// from any of them.
//
// Before the library sees a body, the codec checks that it is one
// well-formed msgpack value whose strings fit in it, whose arrays and maps
// announce no more elements than it has bytes left and whose nesting is at
// most 1000 deep: the library preallocates what a header announces, and
// this bounds it by the frame's size.
//
// # Errors
//
// Decode and AppendFrame return a *message.DecodeError or
// *message.EncodeError wrapping the sentinels of package message:
// ErrBadLength (length prefix below its header's size, fatal), ErrTooLarge (length prefix
// or frame over MaxFrame; fatal on decode), ErrUnknownType (unregistered id:
// the frame is skipped), ErrMalformed (a body that is not one well-formed
// msgpack value: skipped) and ErrBadPayload (a body the type cannot be
// decoded from, or a panic in the factory, the library or a type's own
// decoder or encoder, recovered with a *message.PanicError as the cause:
// skipped on decode, an error from AppendFrame on encode).
package msgpack
