package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/examples/pong/game"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// fakeLink is a link whose Messenger figures are st.
type fakeLink struct{ st messenger.Stats }

func (f fakeLink) ReadStats(s *messenger.Stats)                { *s = f.st }
func (fakeLink) Send(message.Message) error                    { return nil }
func (fakeLink) Xfer() error                                   { return nil }
func (fakeLink) Get() message.Message                          { return nil }
func (fakeLink) Recv(context.Context) (message.Message, error) { return nil, nil }
func (fakeLink) Shutdown(context.Context) error                { return nil }

func TestNetStats(t *testing.T) {
	t0 := time.Unix(1000, 0)
	n := newNetStats(t0)
	if got := n.String(); got != "rtt - net - in 0/s out 0/s" {
		t.Errorf("before anything: %q", got)
	}
	p := n.ping(t0)
	if p == nil || p.Seq != 1 {
		t.Fatalf("first ping %+v, want seq 1 at once", p)
	}
	if q := n.ping(t0.Add(pingInterval / 2)); q != nil {
		t.Errorf("ping %+v before the interval passed", q)
	}
	n.pong(&game.PongMsg{Seq: p.Seq, Sent: p.Sent}, t0.Add(1500*time.Microsecond))
	n.in, n.out = 120, 240
	n.update(t0.Add(2 * time.Second))
	if got, want := n.String(), "rtt 1.500ms net - in 60/s out 120/s"; got != want {
		t.Errorf("HUD %q, want %q", got, want)
	}
	// The Messenger's round trip, once a pong has given it.
	n.readLink(fakeLink{messenger.Stats{SmoothedRTT: 120 * time.Microsecond, PongsIn: 1}}, new(messenger.Stats))
	if got, want := n.String(), "rtt 1.500ms net 0.120ms in 60/s out 120/s"; got != want {
		t.Errorf("HUD %q, want %q", got, want)
	}
	if got, want := n.summary(t0.Add(4*time.Second)), "net rtt=1.500ms msgs_in=120 msgs_out=240 in=30/s out=60/s"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	// A pong we never sent is ignored.
	n.pong(&game.PongMsg{Seq: 99, Sent: 0}, t0.Add(time.Hour))
	if n.rtt != 1500*time.Microsecond {
		t.Errorf("rtt %v after a stray pong", n.rtt)
	}
	if q := n.ping(t0.Add(pingInterval)); q == nil || q.Seq != 2 {
		t.Errorf("ping after the interval: %+v, want seq 2", q)
	}
}

func TestFontCoversTheHUD(t *testing.T) {
	for _, s := range []string{"rtt 12.345ms net 0.120ms in 121/s out 60/s", "rtt - net - in 0/s out 0/s", "host - game over", "guest", "0123456789"} {
		for _, r := range strings.ToUpper(s) {
			if _, ok := glyphs[r]; !ok && r != ' ' {
				t.Errorf("no glyph for %q (in %q)", r, s)
			}
		}
	}
	var dots int
	var maxX int
	textPixels("1", 10, 20, 2, func(x, y, w, h int) {
		dots++
		maxX = max(maxX, x+w)
		if w != 2 || h != 2 || y < 20 || y >= 30 {
			t.Errorf("dot at %d,%d size %dx%d", x, y, w, h)
		}
	})
	if dots != 8 || maxX != 10+textWidth("1", 2) {
		t.Errorf("'1': %d dots up to x %d, want 8 up to %d", dots, maxX, 10+textWidth("1", 2))
	}
}

func TestTermScreenDrawsTheCourt(t *testing.T) {
	var sb strings.Builder
	ts := newTermScreen(&sb)
	v := game.View{Ball: game.Ball{X: game.Width / 2, Y: game.Height / 2}, Me: game.PaddleWidth / 2, Opp: game.Width - game.PaddleWidth/2, MyScore: 3, OppScore: 1}
	if err := ts.draw(v, "guest", "rtt -", ""); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(sb.String(), "\n")
	if !strings.Contains(lines[0], "you 3 : 1 them") {
		t.Errorf("header %q", lines[0])
	}
	court := lines[2 : 2+termRows]
	if !strings.HasPrefix(court[termRows-1], "|#######") {
		t.Errorf("own paddle not at the bottom left: %q", court[termRows-1])
	}
	if !strings.HasSuffix(court[1], "=======|") {
		t.Errorf("opponent's paddle not at the top right: %q", court[1])
	}
	if !strings.Contains(court[termRows/2], "o") {
		t.Errorf("no ball in the middle row: %q", court[termRows/2])
	}
	// Only every termEvery-th frame is drawn.
	sb.Reset()
	for range termEvery - 1 {
		ts.draw(v, "guest", "", "")
	}
	if sb.Len() != 0 {
		t.Errorf("drew %d bytes between draws", sb.Len())
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-headless", "-frames", "10", "-seed", "5", "-lo"}, io.Discard)
	if err != nil || !o.headless || o.frames != 10 || o.seed != 5 || !o.lo {
		t.Errorf("parseFlags: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"-listen", "a:1", "-dial", "b:2"}, {"extra"}, {"-frames", "-1"}, {"-nope"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}
