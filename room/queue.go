package room

// DefaultQueueMax is the bound of a Queue made with a max of 0 or less.
const DefaultQueueMax = 1024

// Queue is a bounded FIFO a game keeps the messages of one kind in, as it
// takes them from Get, to consume them its own way: the oldest few each
// frame (Pop), only the newest, dropping the rest (Newest: what a game
// wants for position updates), or everything (All). These are tlspyo's
// pop, get_last and retrieve_all. When the queue is full, Push drops the
// oldest element. A Queue belongs to one goroutine; its zero value is not
// usable (use NewQueue). It allocates only when it grows, up to its bound.
type Queue[T any] struct {
	buf  []T // ring of len(buf) slots, grown up to max
	head int // index of the oldest
	n    int
	max  int
}

// NewQueue returns an empty queue that holds at most max elements (0 or
// less: DefaultQueueMax).
func NewQueue[T any](max int) *Queue[T] {
	if max <= 0 {
		max = DefaultQueueMax
	}
	return &Queue[T]{max: max}
}

// Len returns the number of elements queued.
func (q *Queue[T]) Len() int { return q.n }

// Push appends v. When the queue holds max elements, it first drops the
// oldest and returns true.
func (q *Queue[T]) Push(v T) (dropped bool) {
	if q.n == q.max {
		var zero T
		q.buf[q.head] = zero
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		dropped = true
	}
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = v
	q.n++
	return dropped
}

func (q *Queue[T]) grow() {
	size := min(max(2*len(q.buf), 8), q.max)
	buf := make([]T, size)
	k := copy(buf, q.buf[q.head:])
	copy(buf[k:], q.buf[:q.head])
	q.buf, q.head = buf, 0
}

// Pop removes the oldest n elements (all of them if fewer are queued)
// and appends them to dst, oldest first.
func (q *Queue[T]) Pop(dst []T, n int) []T {
	var zero T
	for ; n > 0 && q.n > 0; n-- {
		dst = append(dst, q.buf[q.head])
		q.buf[q.head] = zero
		q.head = (q.head + 1) % len(q.buf)
		q.n--
	}
	return dst
}

// Newest removes every element and returns the newest one; ok is false
// when the queue was empty.
func (q *Queue[T]) Newest() (v T, ok bool) {
	if q.n == 0 {
		return v, false
	}
	v = q.buf[(q.head+q.n-1)%len(q.buf)]
	q.Clear()
	return v, true
}

// All removes every element and appends them to dst, oldest first.
func (q *Queue[T]) All(dst []T) []T { return q.Pop(dst, q.n) }

// Clear removes every element.
func (q *Queue[T]) Clear() {
	clear(q.buf)
	q.head, q.n = 0, 0
}
