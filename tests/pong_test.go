package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// TestPongHeadlessSameGame: two headless pong processes find each other on
// loopback, play the same seeded game, and print the same final score and
// state digest.
func TestPongHeadlessSameGame(t *testing.T) {
	args := []string{"-headless", "-lo", "-port", strconv.Itoa(freeport.UDP(t)), "-frames", "600", "-seed", "11", "-timeout", "20s"}
	a := start(t, bin("pong"), args...)
	b := start(t, bin("pong"), args...)
	var finals []string
	for _, p := range []*proc{a, b} {
		if err := p.WaitExit(t, 60*time.Second); err != nil {
			t.Fatalf("pong exited with %v:\n%s", err, p.Output())
		}
		final := p.Line(t, "final ", time.Second)
		if !strings.Contains(final, "frame=600 ") || !strings.Contains(final, "digest=") {
			t.Fatalf("final line %q lacks the frame or digest", final)
		}
		finals = append(finals, final)
	}
	if finals[0] != finals[1] {
		t.Fatalf("the two players ended differently:\n%s\n%s", finals[0], finals[1])
	}
}
