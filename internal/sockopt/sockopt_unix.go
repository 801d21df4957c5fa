//go:build unix

package sockopt

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Enable sets each SOL_SOCKET option in opts (unix.SO_REUSEADDR, ...) to 1
// on rc's socket, in order, and stops at the first that fails.
func Enable(rc syscall.RawConn, opts ...int) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		for _, o := range opts {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, o, 1); serr != nil {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}
