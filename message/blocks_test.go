package message_test

import (
	"sync"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

func TestBlocksDistinctZeroValues(t *testing.T) {
	for _, n := range []int{-1, 0, 1, 3, 64} {
		next := message.Blocks[Position](n)
		seen := make(map[*Position]bool)
		for i := range 500 {
			p := next()
			if *p != (Position{}) {
				t.Fatalf("n=%d: value %d is %+v, not zero", n, i, *p)
			}
			if seen[p] {
				t.Fatalf("n=%d: value %d handed out twice", n, i)
			}
			seen[p] = true
			*p = Position{ID: uint32(i), X: 1} // must not show in later values
		}
	}
}

func TestBlocksConcurrent(t *testing.T) {
	next := message.Blocks[Position](8)
	const workers, each = 8, 2000
	got := make([][]*Position, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				p := next()
				p.ID = uint32(w*each + i) // a write the race detector checks
				got[w] = append(got[w], p)
			}
		})
	}
	wg.Wait()
	seen := make(map[*Position]bool, workers*each)
	for w := range got {
		for i, p := range got[w] {
			if seen[p] {
				t.Fatalf("a value was handed out twice")
			}
			seen[p] = true
			if p.ID != uint32(w*each+i) {
				t.Fatalf("value of worker %d call %d has id %d: shared with another call", w, i, p.ID)
			}
		}
	}
}

func TestBlocksAllocateOncePerBlock(t *testing.T) {
	one := message.Blocks[Position](1)
	if a := testing.AllocsPerRun(1000, func() { one() }); a < 1 {
		t.Errorf("block size 1: %.2f allocations per value, want at least 1", a)
	}
	many := message.Blocks[Position](64)
	if a := testing.AllocsPerRun(6400, func() { many() }); a != 0 {
		t.Errorf("block size 64: %.2f allocations per value, want under 1", a)
	}
}

func TestBlocksDecode(t *testing.T) {
	c := message.NewByteCodec(nil)
	newPos := message.Blocks[Position](4)
	c.Register(func() message.ByteMessage { return newPos() })
	var stream []byte
	for i := range 10 {
		var err error
		if stream, err = c.AppendFrame(stream, &Position{ID: uint32(i), X: float32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []*Position
	for len(stream) > 0 {
		m, n, err := c.Decode(stream)
		if err != nil || n == 0 {
			t.Fatalf("Decode = (%v, %d, %v)", m, n, err)
		}
		got = append(got, m.(*Position))
		stream = stream[n:]
	}
	for i, p := range got { // earlier messages are not overwritten by later ones
		if p.ID != uint32(i) || p.X != float32(i) {
			t.Errorf("message %d = %+v", i, *p)
		}
	}
}
