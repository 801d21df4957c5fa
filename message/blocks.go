package message

import "sync/atomic"

// DefaultBlockSize is the block size Blocks uses when given 0 or less.
const DefaultBlockSize = 64

// Blocks returns a factory of new, zero *T values for Register that
// allocates them n at a time: one allocation per n messages instead of one
// per message. Decoding a small message is otherwise mostly the cost of
// allocating it (about a third of a Messenger's receive time for an 18-byte
// byte frame; see BenchmarkThroughputByteBlocks in messenger), so use it
// for small message types that arrive many times a second, such as game
// positions. n <= 0 means DefaultBlockSize.
//
// The cost is memory: the values of one block are freed together, so a
// message the program keeps holds its whole block (n values) in memory.
// Keep copies, not pointers, of messages you store for long.
//
// The factory is safe for concurrent use (codecs shared by several
// Messengers call it from several goroutines) and every call returns a
// value no other call returned.
//
//	newPosition := message.Blocks[Position](0)
//	codec.Register(func() message.ByteMessage { return newPosition() })
func Blocks[T any](n int) func() *T {
	if n <= 0 {
		n = DefaultBlockSize
	}
	var cur atomic.Pointer[block[T]]
	return func() *T {
		for {
			b := cur.Load()
			if b != nil {
				if i := b.next.Add(1) - 1; i < int64(len(b.items)) {
					return &b.items[i]
				}
			}
			// b is used up (or there is none yet): publish a new block with
			// its first value taken. If another goroutine got there first,
			// take from its block instead.
			nb := &block[T]{items: make([]T, n)}
			nb.next.Store(1)
			if cur.CompareAndSwap(b, nb) {
				return &nb.items[0]
			}
		}
	}
}

// block is n values handed out in order; next is the index of the next one
// (it may run past len(items) when several goroutines race for the last).
type block[T any] struct {
	items []T
	next  atomic.Int64
}
