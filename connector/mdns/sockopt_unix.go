//go:build unix

package mdns

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/cablecar-go/cablecar/internal/sockopt"
)

// reuseControl lets the responder share UDP port 5353 with the host's
// other mDNS responders (avahi, other connectors): SO_REUSEADDR and
// SO_REUSEPORT.
func reuseControl(network, address string, rc syscall.RawConn) error {
	return sockopt.Enable(rc, unix.SO_REUSEADDR, unix.SO_REUSEPORT)
}
