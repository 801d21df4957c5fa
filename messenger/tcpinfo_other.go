//go:build !linux

package messenger

import (
	"fmt"
	"runtime"
	"syscall"
)

func tcpInfo(syscall.RawConn) (TCPInfo, error) {
	return TCPInfo{}, fmt.Errorf("%w on %s (Linux only)", ErrNoTCPInfo, runtime.GOOS)
}
