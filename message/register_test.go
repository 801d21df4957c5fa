package message_test

import (
	"fmt"
	"testing"

	"github.com/cablecar-go/cablecar/message"
)

// bigMsg is over MaxBlockedSize, so Register allocates it one at a time.
type bigMsg struct {
	Data [message.MaxBlockedSize + 1]byte `json:"data"`
}

func (*bigMsg) MessageName() string { return "bigMsg" }

func TestRegisterDecodesIntoDistinctBlockedValues(t *testing.T) {
	for _, c := range []message.Codec{message.NewByteCodec(nil), message.NewJSONCodec(nil)} {
		t.Run(c.Name(), func(t *testing.T) {
			message.Register[Position](c)
			frame, err := c.AppendFrame(nil, &Position{ID: 7, X: 1.5})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[*Position]bool{}
			for i := range 3 * message.DefaultBlockSize {
				m, n, err := c.Decode(frame)
				if err != nil || n != len(frame) {
					t.Fatalf("decode %d: %v, %d of %d bytes", i, err, n, len(frame))
				}
				p, ok := m.(*Position)
				if !ok || p.ID != 7 || p.X != 1.5 {
					t.Fatalf("decode %d: got %#v", i, m)
				}
				if seen[p] {
					t.Fatalf("decode %d returned a value handed out before", i)
				}
				seen[p] = true
			}
			// One allocation per block of DefaultBlockSize, not one per
			// message (the JSON decoder allocates on its own as well).
			allocs := testing.AllocsPerRun(10*message.DefaultBlockSize, func() {
				if _, _, err := c.Decode(frame); err != nil {
					t.Fatal(err)
				}
			})
			if c.Name() == "byte" && allocs > 0.1 {
				t.Errorf("%.2f allocations per decode, want about 1/%d", allocs, message.DefaultBlockSize)
			}
		})
	}
}

func TestRegisterLargeTypeAllocatesEach(t *testing.T) {
	c := message.NewJSONCodec(nil)
	message.Register[bigMsg](c)
	frame, err := c.AppendFrame(nil, &bigMsg{})
	if err != nil {
		t.Fatal(err)
	}
	a, _, errA := c.Decode(frame)
	b, _, errB := c.Decode(frame)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.(*bigMsg) == b.(*bigMsg) {
		t.Fatal("two decodes returned the same value")
	}
}

func TestRegisterPanicsLikeTheCodec(t *testing.T) {
	c := message.NewByteCodec(nil)
	message.Register[Position](c)
	defer func() {
		if recover() == nil {
			t.Fatal("registering Position twice did not panic")
		}
	}()
	message.Register[Position](c)
}

func ExampleRegister() {
	c := message.NewByteCodec(nil)
	message.Register[Position](c) // small values come from blocks of 64

	frame, _ := c.AppendFrame(nil, &Position{ID: 7, X: 1.5})
	m, _, _ := c.Decode(frame)
	fmt.Printf("%T %+v\n", m, *m.(*Position))
	// Output: *message_test.Position {ID:7 X:1.5 Y:0 Z:0}
}
