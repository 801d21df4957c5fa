package message

import "unsafe"

// MaxBlockedSize is the largest message type, in bytes, that Register
// allocates in blocks; larger types get one allocation per message.
const MaxBlockedSize = 256

// Register registers the message type *T with c, whichever codec it is
// (a *ByteCodec, a *JSONCodec, a *msgpack.Codec), and is the way to
// register a type unless its values need more than the zero value to
// start from:
//
//	message.Register[Position](codec)
//
// Values are allocated DefaultBlockSize at a time for types of at most
// MaxBlockedSize bytes (see Blocks): decoding a small message is otherwise
// mostly the cost of allocating it, and this is what keeps a Messenger's
// receive rate near the socket's. The cost is memory, and only where a
// program keeps messages: a message kept holds its whole block (at most
// 16 KiB) in memory, so keep copies, not pointers, of messages you store
// for long. For a factory of your own (values with defaults, a pool) use
// the codec's Register method or RegisterAll.
//
// With a *ByteCodec, Register also gives the codec typed paths for *T: it
// encodes and decodes *T without reflection or interface assertions per
// frame, and a Decoder from ByteCodec.NewDecoder (which a Messenger uses)
// allocates *T from blocks of its own, without an atomic operation per
// value.
//
// It panics like the codec's Register does (a code, name or id taken, a
// byte type with data but no payload methods, a type the codec cannot
// carry). Like every registration, call it before c is used.
func Register[T any, P interface {
	*T
	Message
}](c Codec) {
	var zero T
	if unsafe.Sizeof(zero) > MaxBlockedSize || unsafe.Sizeof(zero) == 0 {
		RegisterAll(c, func() Message { return P(new(T)) })
		return
	}
	if bc, ok := c.(*ByteCodec); ok {
		if _, ok := any(P(nil)).(ByteMessage); ok { // else RegisterAll says why not
			registerTyped[T, P](bc)
			return
		}
	}
	next := Blocks[T](0)
	RegisterAll(c, func() Message { return P(next()) })
}
