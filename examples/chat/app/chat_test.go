package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// screen collects a room's output and lets a test wait for a line.
type screen struct {
	mu   sync.Mutex
	text strings.Builder
	more chan struct{}
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.text.Write(p)
	s.mu.Unlock()
	select {
	case s.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text.String()
}

// waitCount waits until substr appears n times.
func (s *screen) waitCount(t *testing.T, substr string, n int) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for strings.Count(s.String(), substr) < n {
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("%q seen %d times, want %d, in:\n%s", substr, strings.Count(s.String(), substr), n, s.String())
		}
	}
}

// chatter is one room member run in-process.
type chatter struct {
	name   string
	typing *io.PipeWriter
	screen *screen
	cancel context.CancelFunc
	done   chan error
}

func join(t *testing.T, name string, port int) *chatter {
	t.Helper()
	r, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	c := &chatter{name: name, typing: w, screen: &screen{more: make(chan struct{}, 1)}, cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- run(ctx, config{name: name, lo: true, port: port}, r, c.screen) }()
	t.Cleanup(c.leave)
	return c
}

func (c *chatter) say(t *testing.T, line string) {
	t.Helper()
	if _, err := fmt.Fprintln(c.typing, line); err != nil {
		t.Fatal(err)
	}
}

// leave ends the member's room and waits for it.
func (c *chatter) leave() {
	c.cancel()
	c.typing.Close()
	if c.done != nil {
		<-c.done
		c.done = nil
	}
}

func TestChatRoomOfThree(t *testing.T) {
	port := freeport.UDP(t)
	alice, bob, carol := join(t, "alice", port), join(t, "bob", port), join(t, "carol", port)
	for _, c := range []*chatter{alice, bob, carol} {
		c.screen.waitCount(t, " joined (127.0.0.1:", 2)
	}

	alice.say(t, "hello, room")
	bob.screen.waitCount(t, "<alice> hello, room\n", 1)
	carol.screen.waitCount(t, "<alice> hello, room\n", 1)
	carol.say(t, "hi alice")
	alice.screen.waitCount(t, "<carol> hi alice\n", 1)
	bob.screen.waitCount(t, "<carol> hi alice\n", 1)
	if strings.Contains(alice.screen.String(), "<alice>") {
		t.Errorf("alice's own line came back to her:\n%s", alice.screen.String())
	}

	carol.leave()
	alice.screen.waitCount(t, "* carol left", 1)
	bob.screen.waitCount(t, "* carol left", 1)
	bob.say(t, "bye carol")
	alice.screen.waitCount(t, "<bob> bye carol\n", 1)
}

// TestLoopEndsWithPeerThatDoesNotRead: a peer that never reads cannot keep
// the room from ending (the flush of the last lines at the end is bounded),
// even with its queue full.
func TestLoopEndsWithPeerThatDoesNotRead(t *testing.T) { loopEndsWithStuckPeer(t, false) }

// TestCompatLoopEndsWithPeerThatDoesNotRead: the same for -compat members.
func TestCompatLoopEndsWithPeerThatDoesNotRead(t *testing.T) { loopEndsWithStuckPeer(t, true) }

func loopEndsWithStuckPeer(t *testing.T, compat bool) {
	r, err := room.New(context.Background(), &room.Config{AppID: "cablecar-chat", Codec: newCodec(), Listen: "127.0.0.1:0", Compat: compat})
	if err != nil {
		t.Fatal(err)
	}
	// The stuck peer: a room that completes its hello (none with compat),
	// then never calls Xfer, so it never reads.
	stuck, err := room.New(context.Background(), &room.Config{AppID: "cablecar-chat", Codec: newCodec(), Dial: []string{r.Addr().String()}, Compat: compat})
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := make(chan string)
	out := &screen{more: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() { done <- loop(ctx, config{name: "me"}, lines, r, out) }()
	out.waitCount(t, " joined (127.0.0.1:", 1)
	long := strings.Repeat("x", 8000)
	for !strings.Contains(out.String(), "* could not send to") || !strings.Contains(out.String(), messenger.ErrQueueFull.Error()) {
		select {
		case lines <- long:
		case <-time.After(30 * time.Second):
			t.Fatalf("the stuck peer's queue never filled:\n%.2000s", out.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the room did not end: its last flush waits for a peer that never reads")
	}
}

// TestChatAloneShowsProgress: alone in the room, the chat says what
// discovery is doing and, after a while, why nobody is found.
func TestChatAloneShowsProgress(t *testing.T) {
	every, after := statusEvery, statusAfter
	statusEvery, statusAfter = 100*time.Millisecond, 2500*time.Millisecond
	defer func() { statusEvery, statusAfter = every, after }()
	c := join(t, "alone", freeport.UDP(t))
	c.screen.waitCount(t, "* looking for peers on lo (127.255.255.255), 0 heard for ", 1)
	c.screen.waitCount(t, "0 heard for 2s: connector: no peer heard", 1)
	c.leave()
}
