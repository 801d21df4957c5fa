// Package testpeer runs a test binary of connector or connector/mdns as a
// child peer for the multi-process and network-namespace tests, and reads
// what the child prints. The child's side (Decode, Confined, NewSay,
// Serve) speaks a line protocol on stdout, one line per event:
//
//	READY <id> <tcp addr>
//	CONNECT <id> <name> <addr>
//	DISCONNECT <id> <reason: eof|left|timeout|closed|replaced|stopped|other>
//	PEERS <n> <id>...     (answer to the stdin command "peers", where the child has Node.Peers)
//	STATS <heard> <dials> (answer to "stats"; mDNS answers count as beacons)
//	ENDED                 (discovery ended: Timeout)
//	STOPPED
//
// and stops on the stdin command "stop" or at the end of stdin. The
// parent's side (Start, StartPeer, Child) starts the child and waits on
// those lines. The package does not import connector (connector's own
// tests use it): the connector-specific parts come in as values.
//
// It is Linux-only, as package netns is.
package testpeer
