package screen

import (
	"io"
	"os"
	"strings"
	"sync"
)

// DefaultWidth and DefaultHeight are the size assumed when the output is
// not a terminal or its size cannot be read.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// Control sequences (ECMA-48 / xterm), understood by every terminal
// emulator in use today.
const (
	enterAlt   = "\x1b[?1049h" // alternate screen on
	leaveAlt   = "\x1b[?1049l" // alternate screen off, normal screen restored
	hideCursor = "\x1b[?25l"
	showCursor = "\x1b[?25h"
	home       = "\x1b[H"  // cursor to the top left
	clearEOL   = "\x1b[K"  // erase to the end of the line
	clearBelow = "\x1b[J"  // erase from the cursor to the end of the screen
	resetAttrs = "\x1b[0m" // plain text
)

// Screen draws frames on one output. Its methods are safe for concurrent
// use (a signal handler may Close while the main loop draws).
type Screen struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	size    func() (cols, rows int, ok bool)
	started bool
	closed  bool
}

// New returns a Screen drawing on f; f is a terminal when its window size
// can be read.
func New(f *os.File) *Screen {
	size := func() (int, int, bool) { return termSize(f) }
	_, _, tty := size()
	return &Screen{w: f, tty: tty, size: size}
}

// IsTerminal reports whether frames are drawn in place.
func (s *Screen) IsTerminal() bool { return s.tty }

// Size returns the terminal's columns and rows, read afresh (so a resized
// window is followed), or DefaultWidth × DefaultHeight when the output is
// not a terminal.
func (s *Screen) Size() (cols, rows int) {
	if c, r, ok := s.size(); ok && c > 0 && r > 0 {
		return c, r
	}
	return DefaultWidth, DefaultHeight
}

// Draw shows frame (lines ending in "\n"). On a terminal it replaces the
// previous frame, cutting the frame to the window's rows; otherwise it
// writes the frame followed by an empty line. After Close it does nothing.
func (s *Screen) Draw(frame string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if !s.tty {
		_, err := io.WriteString(s.w, frame+"\n")
		return err
	}
	var b strings.Builder
	if !s.started {
		b.WriteString(enterAlt + hideCursor)
		s.started = true
	}
	b.WriteString(home)
	_, rows := s.Size()
	lines := strings.Split(strings.TrimSuffix(frame, "\n"), "\n")
	if len(lines) > rows {
		lines = lines[:rows]
	}
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(l)
		b.WriteString(clearEOL)
	}
	b.WriteString(clearBelow)
	_, err := io.WriteString(s.w, b.String())
	return err
}

// Close restores the terminal (cursor shown, normal screen back) if a frame
// was drawn. It is idempotent; Draw does nothing afterwards.
func (s *Screen) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if !s.started {
		return nil
	}
	_, err := io.WriteString(s.w, resetAttrs+showCursor+leaveAlt)
	return err
}
