package room

import "github.com/cablecar-go/cablecar/connector"

// Via is the way a peer's connection came to the Room.
type Via uint8

const (
	// ViaDiscovery: LAN discovery (the Room's BroadcastConnector:
	// broadcast beacons, or Config.Discovery such as mDNS).
	ViaDiscovery Via = iota + 1
	// ViaListen: a known address; the peer dialled Config.Listen.
	ViaListen
	// ViaDial: a known address; the Room dialled it (Config.Dial).
	ViaDial
	// ViaTransport: a Transport of Config.Transports (a relay).
	ViaTransport
)

// String returns "discovery", "listen", "dial", "transport", or "" for
// the zero Via.
func (v Via) String() string {
	switch v {
	case ViaDiscovery:
		return "discovery"
	case ViaListen:
		return "listen"
	case ViaDial:
		return "dial"
	case ViaTransport:
		return "transport"
	}
	return ""
}

// origin is how a peer's connection came: what Room.Discovery reports.
type origin struct {
	via  Via
	t    Transport        // the Transport, for ViaTransport
	disc connector.PeerID // the id discovery announced, for ViaDiscovery
}

// PeerDiscovery is how a peer of the Room was found (Room.Discovery).
type PeerDiscovery struct {
	// Via is the way the connection the Room uses for the peer came.
	// ViaListen and ViaDial mean a known address: no discovery found the
	// peer, and the embedded figures are zero (Paths is 0).
	Via Via
	// Transport is the Transport of Config.Transports the connection
	// came through (Via is ViaTransport); nil otherwise.
	Transport Transport
	// The discovery figures: the paths that found the peer, the
	// interface, the broadcast beacons heard against those expected and
	// their quality, as connector.BroadcastConnector.PeerDiscovery gives
	// them while the Room's connector has the peer in its table. For a
	// peer that came through a Transport, Paths includes
	// connector.PathRelay, and First is PathRelay unless the connector
	// found the peer too; with no beacon figures Quality is 1, as for a
	// peer found by the Discoverer only. Paths is 0 for a peer discovery
	// has forgotten (after discovery ended, with OneToOne), for one of a
	// known address, and in Compat mode (the connector keeps no figures
	// for cable_car peers).
	connector.PeerDiscovery
}

// Discovery fills d with how peer id was found (see PeerDiscovery) and
// reports whether id is in the room; it leaves d alone when it is not. It
// never blocks on the network and does not allocate: for a discovered
// peer it takes the connector's lock for a moment
// (connector.BroadcastConnector.PeerDiscovery). Like Xfer it belongs to
// the game loop's goroutine.
func (r *Room) Discovery(id PeerID, d *PeerDiscovery) bool {
	p := r.byID[id]
	if p == nil {
		return false
	}
	o := &p.origin
	*d = PeerDiscovery{Via: o.via, Transport: o.t}
	if r.bc != nil && !r.cfg.Compat {
		// A peer that came through a Transport may be heard on the LAN as
		// well (a Room with LAN among its Transports).
		want := o.disc
		if o.via == ViaTransport {
			want = connector.PeerID(id)
		}
		if want != 0 {
			d.PeerDiscovery, _ = r.bc.PeerDiscovery(want)
		}
	}
	if o.via == ViaTransport {
		if d.Paths == 0 {
			d.First, d.Quality = connector.PathRelay, 1
		}
		d.Paths |= connector.PathRelay
	}
	return true
}
