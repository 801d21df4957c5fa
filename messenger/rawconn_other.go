//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package messenger

import "net"

// rawConn is not available on this platform: every conn goes through
// readLoop and writeLoop.
type rawConn struct{}

func newRawConn(net.Conn) *rawConn { return nil }

func (*rawConn) read([]byte) (int, error)  { return 0, nil }
func (*rawConn) write([]byte) (int, error) { return 0, nil }
func (*rawConn) waitReadable() error       { return nil }
func (*rawConn) failed(err error) error    { return err }

func wouldBlock(error) bool { return false }
