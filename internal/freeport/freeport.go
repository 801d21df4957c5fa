// Package freeport picks ports for tests. Tests of different packages run
// at the same time (go test ./... runs packages in parallel processes), and
// so may two runs of one package: a fixed beacon port would let their peers
// hear, and connect to, each other. A port the kernel has just handed out
// is, in practice, used by nobody else.
package freeport

import (
	"net"
	"testing"
)

// UDP returns a UDP port that was free on every IPv4 address a moment ago,
// for a beacon port shared by the peers of one test.
func UDP(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TCP returns a TCP port that was free on 127.0.0.1 a moment ago, for a
// listener whose port must be known before it is started.
func TCP(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
