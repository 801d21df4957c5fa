package sdl

import (
	"errors"
	"image/color"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// TestWindowDrawsAndReadsBack opens a real window and checks the pixels it
// reads back. Without a display it runs itself again under xvfb-run.
func TestWindowDrawsAndReadsBack(t *testing.T) {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		if os.Getenv("SDL_TEST_UNDER_XVFB") != "" {
			t.Fatal("no display even under xvfb-run")
		}
		if err := Load(); err != nil {
			t.Skipf("no SDL2: %v", err)
		}
		xvfb, err := exec.LookPath("xvfb-run")
		if err != nil {
			t.Skip("no display and no xvfb-run (Debian packages xvfb, xauth)")
		}
		cmd := exec.Command(xvfb, "-a", os.Args[0], "-test.run=^TestWindowDrawsAndReadsBack$", "-test.v")
		cmd.Env = append(os.Environ(), "SDL_TEST_UNDER_XVFB=1", "SDL_RENDER_DRIVER=software")
		out, err := cmd.CombinedOutput()
		t.Logf("under xvfb-run:\n%s", out)
		if err != nil {
			t.Fatalf("under xvfb-run: %v", err)
		}
		return
	}
	runtime.LockOSThread() // SDL wants one OS thread
	defer runtime.UnlockOSThread()
	w, err := Open(Config{Title: "sdl test", Width: 64, Height: 48})
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("SDL cannot open a window here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for range 10 { // let the window appear
		for {
			if _, ok := w.PollEvent(); !ok {
				break
			}
		}
	}
	w.SetColor(10, 20, 30, 255)
	w.Clear()
	w.SetColor(200, 100, 50, 255)
	w.FillRect(8, 4, 10, 6)
	img, err := w.ReadPixels()
	if err != nil {
		t.Fatal(err)
	}
	w.Present()
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
		t.Fatalf("image %v, want 64x48", b)
	}
	for _, p := range []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, color.RGBA{10, 20, 30, 255}},
		{8, 4, color.RGBA{200, 100, 50, 255}},
		{17, 9, color.RGBA{200, 100, 50, 255}},
		{18, 9, color.RGBA{10, 20, 30, 255}},
		{17, 10, color.RGBA{10, 20, 30, 255}},
		{63, 47, color.RGBA{10, 20, 30, 255}},
	} {
		if got := img.RGBAAt(p.x, p.y); got != p.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", p.x, p.y, got, p.want)
		}
	}
	w.Close()
	w.Close() // idempotent
}

// TestNoDisplayIsUnavailable checks that SDL's fallback to an invisible
// window counts as no display.
func TestNoDisplayIsUnavailable(t *testing.T) {
	if err := Load(); err != nil {
		t.Skipf("no SDL2: %v", err)
	}
	if os.Getenv("SDL_TEST_NO_DISPLAY") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoDisplayIsUnavailable$", "-test.v")
		cmd.Env = append(os.Environ(), "SDL_TEST_NO_DISPLAY=1", "DISPLAY=", "WAYLAND_DISPLAY=", "SDL_VIDEODRIVER=", "XDG_RUNTIME_DIR=/nonexistent")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("without a display: %v\n%s", err, out)
		}
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	w, err := Open(Config{})
	if err == nil {
		t.Fatalf("Open without a display gave a window (driver %q)", w.Driver())
		w.Close()
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Open without a display: %v, want ErrUnavailable", err)
	}
	t.Log(err)
}
