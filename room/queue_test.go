package room

import (
	"slices"
	"testing"
)

func TestQueue(t *testing.T) {
	q := NewQueue[int](4)
	if _, ok := q.Newest(); ok {
		t.Error("Newest of an empty queue: ok")
	}
	for i := 1; i <= 3; i++ {
		if q.Push(i) {
			t.Errorf("Push(%d) dropped", i)
		}
	}
	if got := q.Pop(nil, 2); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Pop 2: %v", got)
	}
	for i := 4; i <= 6; i++ { // wraps around: 3 4 5 6
		q.Push(i)
	}
	if !q.Push(7) { // full: 3 is dropped
		t.Error("Push into a full queue did not drop")
	}
	if q.Len() != 4 {
		t.Errorf("Len %d, want 4", q.Len())
	}
	if got := q.All(nil); !slices.Equal(got, []int{4, 5, 6, 7}) {
		t.Errorf("All: %v", got)
	}
	if got := q.Pop(nil, 3); len(got) != 0 {
		t.Errorf("Pop of an empty queue: %v", got)
	}
	for i := range 10 {
		q.Push(i)
	}
	if v, ok := q.Newest(); !ok || v != 9 || q.Len() != 0 {
		t.Errorf("Newest: %v %v, len %d; want 9 true 0", v, ok, q.Len())
	}
	if got := q.Pop(nil, 100); len(got) != 0 {
		t.Errorf("after Newest, Pop: %v", got)
	}
	d := NewQueue[string](0)
	for i := range DefaultQueueMax + 1 {
		d.Push(string(rune('a' + i%26)))
	}
	if d.Len() != DefaultQueueMax {
		t.Errorf("default bound: Len %d, want %d", d.Len(), DefaultQueueMax)
	}
}

// TestQueueAllocs: a queue that has grown reuses its ring.
func TestQueueAllocs(t *testing.T) {
	q := NewQueue[int](64)
	dst := make([]int, 0, 64)
	for i := range 64 {
		q.Push(i)
	}
	q.Clear()
	if n := testing.AllocsPerRun(100, func() {
		for i := range 10 {
			q.Push(i)
		}
		dst = q.Pop(dst[:0], 5)
		_, _ = q.Newest()
	}); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}
