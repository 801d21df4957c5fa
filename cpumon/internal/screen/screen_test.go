package screen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func fakeTTY(cols, rows int) (*Screen, *bytes.Buffer) {
	var buf bytes.Buffer
	return &Screen{w: &buf, tty: true, size: func() (int, int, bool) { return cols, rows, true }}, &buf
}

func TestDrawOnTerminal(t *testing.T) {
	s, buf := fakeTTY(80, 3)
	if err := s.Draw("a\nb\n"); err != nil {
		t.Fatal(err)
	}
	want := "\x1b[?1049h\x1b[?25l\x1b[Ha\x1b[K\r\nb\x1b[K\x1b[J"
	if got := buf.String(); got != want {
		t.Fatalf("first frame %q\nwant %q", got, want)
	}
	buf.Reset()
	// A frame taller than the window is cut to its rows.
	if err := s.Draw("1\n2\n3\n4\n5\n"); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "\x1b[H1\x1b[K\r\n2\x1b[K\r\n3\x1b[K\x1b[J"; got != want {
		t.Fatalf("second frame %q\nwant %q", got, want)
	}
	buf.Reset()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "\x1b[0m\x1b[?25h\x1b[?1049l"; got != want {
		t.Fatalf("close %q want %q", got, want)
	}
	buf.Reset()
	if err := s.Close(); err != nil || buf.Len() != 0 {
		t.Fatalf("second Close wrote %q, %v", buf.String(), err)
	}
	if err := s.Draw("x\n"); err != nil || buf.Len() != 0 {
		t.Fatalf("Draw after Close wrote %q", buf.String())
	}
}

func TestCloseWithoutFrameWritesNothing(t *testing.T) {
	s, buf := fakeTTY(80, 24)
	if err := s.Close(); err != nil || buf.Len() != 0 {
		t.Fatalf("wrote %q", buf.String())
	}
}

func TestSize(t *testing.T) {
	s, _ := fakeTTY(132, 50)
	if c, r := s.Size(); c != 132 || r != 50 {
		t.Fatalf("Size %d×%d", c, r)
	}
	s, _ = fakeTTY(0, 0) // a terminal that reports no size
	if c, r := s.Size(); c != DefaultWidth || r != DefaultHeight {
		t.Fatalf("Size %d×%d", c, r)
	}
}

func TestPlainFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := New(f)
	if s.IsTerminal() {
		t.Fatal("a file taken for a terminal")
	}
	if c, r := s.Size(); c != DefaultWidth || r != DefaultHeight {
		t.Fatalf("Size %d×%d", c, r)
	}
	if err := s.Draw("a\nb\n"); err != nil {
		t.Fatal(err)
	}
	if err := s.Draw("c\n"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Name())
	if string(got) != "a\nb\n\nc\n\n" {
		t.Fatalf("file holds %q", got)
	}
}
