//go:build !unix

package mdns

import "syscall"

// reuseControl: port sharing is not set up here; a second mDNS responder
// on the host may fail to bind port 5353.
func reuseControl(network, address string, rc syscall.RawConn) error { return nil }
