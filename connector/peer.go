package connector

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
)

// PeerID identifies one running BroadcastConnector. It is drawn at random
// when the connector is created, so a restarted program is a new peer. Zero
// means "unknown" (compat mode peers have no id).
type PeerID uint64

// String returns the id as 16 hex digits.
func (id PeerID) String() string { return fmt.Sprintf("%016x", uint64(id)) }

// newPeerID returns a random non-zero id.
func newPeerID() PeerID {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
		if id := PeerID(binary.BigEndian.Uint64(b[:])); id != 0 {
			return id
		}
	}
}

// Peer is a connected peer as the connector reports it: a copy, safe to
// keep. Metadata must not be modified.
type Peer struct {
	// ID is the peer's random id; zero in compat mode.
	ID PeerID
	// Name is the peer's display name (its BroadcastConfig.Name); empty in
	// compat mode.
	Name string
	// Metadata is the application metadata of the peer's beacon; nil in
	// compat mode.
	Metadata []byte
	// Addr is the peer's TCP address: its IP and, in native mode, the port
	// it accepts on (in compat mode, the remote address of the connection).
	Addr netip.AddrPort
	// Outgoing is true when this side dialed the connection.
	Outgoing bool
	// Nameplate is the join-code nameplate the connection is for: on an
	// accepted one, the nameplate the dialer came to join (its
	// BroadcastConfig.Join); on a dialed one, the nameplate the peer
	// offered in its beacon (its BroadcastConfig.Nameplate). 0 for none.
	// Both are self-declared: a PAKE with the code proves them.
	Nameplate int
	// Conn is the connection, ready for a Messenger: nothing has been read
	// from it beyond the connector's own identify exchange. It is a wrapper
	// around the *net.TCPConn that tells the connector when the user closes
	// it or a Read or Write fails (see the package documentation,
	// "Connection ownership"). Besides net.Conn it implements
	// syscall.Conn, CloseWrite() error, and NetConn() net.Conn, which
	// returns the *net.TCPConn underneath (closing that one directly is
	// noticed within one Interval only).
	Conn net.Conn
}

// peerKey keys the peer table: by id in native mode, by IP in compat mode
// (cable_car keeps one peer per IP).
type peerKey struct {
	id PeerID
	ip netip.Addr
}

func (k peerKey) String() string {
	if k.id != 0 {
		return k.id.String()
	}
	return k.ip.String()
}
