package message

// Message is a value that travels in one frame. User code implements it with
// its own struct types (usually with pointer receivers) and registers a
// factory for each type with the codec that should carry it: a codec decodes
// only the types registered with it.
type Message interface {
	// MessageName is the type's name: the class name on the wire of the JSON
	// codec (cable_car's class name, e.g. "MsgJoin") and the name used in
	// errors. It must be the same for every value of the type.
	MessageName() string
}

// ByteMessage is a Message that the byte codec can carry.
type ByteMessage interface {
	Message
	// ByteCode is the 1-byte code that picks the type in a byte frame. It must
	// be the same for every value of the type.
	ByteCode() byte
}

// PayloadAppender is implemented by byte messages that carry a payload. A
// type without it has an empty payload.
type PayloadAppender interface {
	// AppendPayload appends the payload to dst and returns the extended slice.
	// It must not retain dst. It must not panic either: the codec's
	// AppendFrame recovers a panic and fails the encode with
	// ErrBadPayload, but AppendFrameUnchecked (UncheckedEncoder), which a
	// Messenger's Send uses, lets it propagate to the caller.
	AppendPayload(dst []byte) ([]byte, error)
}

// PayloadDecoder is implemented by byte messages that carry a payload. A
// type without it accepts only an empty payload.
type PayloadDecoder interface {
	// DecodePayload sets the receiver from p. It must not retain p: p points
	// into the caller's read buffer. A non-nil error rejects the frame.
	//
	// p comes from the peer: any length, any bytes. DecodePayload must check
	// p's length before it indexes p and must not panic; it returns an error
	// for a payload it cannot use. (A panic is recovered by the codec and
	// rejects the frame with ErrBadPayload like an error does, but it is a
	// bug: the value may be left half set and the panic costs far more than
	// an error.)
	DecodePayload(p []byte) error
}

// Codec turns messages into frames and frames into messages. Each codec value
// has its own registry; codecs never share mutable state. A Codec is safe for
// concurrent use once registration is finished.
type Codec interface {
	// Name is the codec's short name: "byte", "json" or "msgpack".
	Name() string

	// AppendFrame encodes m as one whole frame appended to dst and returns the
	// extended slice. On error dst is returned unchanged (same length). It
	// must not panic: the codecs of this module turn a panic in a type's own
	// encoding code into an *EncodeError wrapping ErrBadPayload.
	AppendFrame(dst []byte, m Message) ([]byte, error)

	// Decode decodes the frame at the start of buf. It never copies buf and
	// never retains it. The results mean:
	//   - m != nil, n > 0, err == nil: a message, decoded from buf[:n].
	//   - m == nil, n == 0, err == nil: buf holds no whole frame yet; call
	//     again when more bytes have arrived.
	//   - m == nil, n > 0, err != nil: the frame buf[:n] was bad; skip n
	//     bytes and go on decoding (the error is a *DecodeError with Skip == n).
	//   - m == nil, n == 0, err != nil: the stream is unusable and the
	//     connection must be closed.
	//
	// Decode must not panic, whatever buf holds. The codecs of this module
	// recover a panic in a registered type's code (its factory,
	// DecodePayload, UnmarshalJSON, msgpack decoder) as a skipped frame with
	// ErrBadPayload, so a hostile frame cannot bring the program down; a
	// Codec written elsewhere must give the same guarantee.
	Decode(buf []byte) (m Message, n int, err error)
}

// ResumableDecoder is implemented by codecs whose frames end at a delimiter
// rather than at a length given up front, so that "need more bytes" costs a
// scan of everything buffered (the JSON codec: a line ends at "\n").
//
// DecodeFrom is Decode (same results) for a buf whose first from bytes are
// known to hold no frame end: an earlier call for the same frame returned
// "need more bytes" with those from bytes buffered. A reader that keeps
// from between calls looks at each byte once, however thinly a peer
// trickles a frame; with Decode alone, a frame that arrives in k pieces
// costs k scans of the buffer. The Messenger uses DecodeFrom when its codec
// has it.
type ResumableDecoder interface {
	DecodeFrom(buf []byte, from int) (m Message, n int, err error)
}
