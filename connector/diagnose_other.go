//go:build !linux

package connector

// ephemeralPorts returns the IANA ephemeral range (the default of most
// systems other than Linux).
func ephemeralPorts() (lo, hi int) { return 49152, 65535 }

// portHolder cannot name the process outside Linux.
func portHolder(proto string, port int) string { return "" }
