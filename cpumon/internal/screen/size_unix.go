//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || zos

package screen

import (
	"os"

	"golang.org/x/sys/unix"
)

// termSize reads f's window size; ok is false when f is not a terminal.
func termSize(f *os.File) (cols, rows int, ok bool) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0, false
	}
	return int(ws.Col), int(ws.Row), true
}
