package message_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// TestConcurrentUse runs encoders and decoders of one codec in parallel,
// and registers types with fresh codecs in parallel, for the race detector.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	codecs := allCodecs()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Registering with a codec of one's own is fine while other
			// codecs are in use.
			own := message.NewJSONCodec(nil)
			own.Register(func() message.Message { return new(Rich) })
			own.Register(func() message.Message { return new(Position) })
			for i := range 200 {
				for _, c := range append(codecs, own) {
					want := &Position{ID: uint32(g*1000 + i), X: float32(i) / 3}
					frame, err := c.AppendFrame(nil, want)
					if err != nil {
						errs <- err
						return
					}
					m, n, err := c.Decode(frame)
					if err != nil || n != len(frame) || *m.(*Position) != *want {
						errs <- fmt.Errorf("%s: got (%v, %d, %v), want %v", c.Name(), m, n, err, want)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
