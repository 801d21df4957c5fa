// Package connector finds peers and hands out connected net.Conns, ready
// for a Messenger. It never reads or writes the application's stream.
//
// # Known addresses
//
// DirectServer listens and accepts (Accept: one connection; Serve: every
// connection to a callback); DirectClient dials, retrying refused
// connections until its timeout. Both take a context, accept host names, and
// leave no goroutine behind. See ExampleDirectServer_Accept.
//
// # Discovery on the LAN
//
// BroadcastConnector finds the other instances of an application on the LAN
// with no configuration and connects to each of them once:
//
//	c, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{
//		AppID:        "my-game",
//		OnConnect:    func(p connector.Peer) { go play(p.Conn) },
//		OnDisconnect: func(p connector.Peer, why error) { log.Println(p.Name, "left:", why) },
//	})
//	...
//	c.Start(ctx)   // or: peers, err := c.Connect(ctx)
//	defer c.Stop()
//
// Every Interval it sends a beacon to the directed broadcast address of
// every up, broadcast-capable interface (re-read every InterfaceRefresh, and
// on Linux whenever a link or address changes; the
// Interfaces option restricts them, the Loopback option confines everything
// to 127.255.255.255 and this machine). The beacon port is shared by every
// instance on the host (SO_REUSEADDR + SO_REUSEPORT), and each instance
// accepts TCP on an ephemeral port announced in its beacon, so many
// instances run on one host. On hearing a peer it dials it; a new peer also
// gets an early beacon back, so two peers usually connect within a few
// milliseconds of the second one starting.
//
// # Native protocol
//
// A beacon is one small record (layout in beacon.go): magic "CCAR",
// protocol version, kind (beacon, goodbye, quiet), a random 64-bit peer id,
// the TCP port, the application id, a display name and up to 255 bytes of
// application metadata. Garbage, truncated, oversize and other-version
// datagrams are dropped and counted (Stats), as are beacons of other
// applications; parsing never allocates.
//
// Right after a TCP connect the dialer sends a hello (its record plus the
// id it means to reach) and the acceptor answers accept (its record) or
// reject (a reason); only then is the connection handed to OnConnect, on
// both sides. One peer gets one connection: normally only the peer with the
// lower id dials. If both dial at once anyway, the acceptor of each
// connection decides under its lock, and both sides keep exactly the
// connection dialed by the lower id (rules in decideIncomingLocked).
//
// A join-code nameplate (BroadcastConfig.Nameplate, SetNameplate) rides in
// the beacon, and the nameplate a joiner comes for (BroadcastConfig.Join)
// in its hello, as an optional extension after the record (layout in
// beacon.go): written only when set, so beacons and hellos without one are
// the version-1 bytes older peers parse. Nameplates lists those heard, for
// joincode.LowestFree; NameplatePeers says which peers offer one, and
// OnNameplate when a peer starts offering one (two hosts that picked the
// same nameplate find out so). mDNS carries it as np= in the TXT record.
//
// # Secured
//
// With BroadcastConfig.Secured (set by package room with a code or a
// password) beacons are hints, not orders: goodbyes and silence never drop
// a connection, a connected peer id is never replaced by a second
// connection claiming it, OneToOne pairs at Paired, and hellos are
// rate-limited per source address; the application's sealed channel
// decides who is in and who is alive. See secured.go for the details.
//
// # Peer lifecycle
//
// Peers lists the connected peers; Addresses their IPs (cable_car's view).
// A connected peer is dropped — its Conn closed, OnDisconnect called with
// the reason — when:
//   - it stops cleanly: its goodbye beacon (ErrPeerLeft) or the close of the
//     connection (io.EOF) arrives;
//   - it dies silently: no beacon for PeerTimeout (ErrPeerTimeout; default
//     4 × Interval = 4 s), or TCP keepalive with TCP_USER_TIMEOUT =
//     PeerTimeout breaks the connection;
//   - the user closes Peer.Conn (net.ErrClosed), or a Read or Write on it
//     fails;
//   - Stop is called (ErrStopped).
//
// What a peer sent before it went away is not thrown away with the
// connection: a goodbye that arrives while data is still unread leaves the
// connection in place until the user has read to io.EOF (or PeerTimeout
// has passed), and a peer that closed its connection and dials again is
// refused until the old one has been read to its end (it retries on each
// beacon).
//
// A dropped peer that is still (or again) beaconing is connected again, with
// a new OnConnect. A restarted program has a new id, so it is a new peer.
//
// # Connection ownership
//
// Peer.Conn belongs to the user from OnConnect on; the connector never reads
// from or writes to it. It is a thin wrapper of the *net.TCPConn that
// reports Close and Read/Write errors to the connector (deadline errors
// excepted), and implements syscall.Conn for messengers doing non-blocking
// I/O. To notice a peer that closed the connection while the user is not
// reading, the connector peeks at the socket (recv with MSG_PEEK |
// MSG_DONTWAIT, through RawConn.Control: no data is consumed, a Read in
// progress is not disturbed) once per Interval. The kernel hands a
// socket's error (a reset, a timeout) out once, to the peek or to a Read:
// a peek that finds the connection aborted and its error taken leaves the
// peer, for one more Interval, to the Read that took it, whose failure
// drops it with that error as the reason. After the connector has
// dropped a connection, Read and Write return io.EOF (the peer closed it)
// or an error wrapping net.ErrClosed and the reason. Half-closed
// connections are treated as ended.
//
// # Limits
//
// Beacons are unauthenticated datagrams, and the identify exchange proves
// only that the other side speaks the protocol, so what a stranger can make
// the connector spend is bounded, and strangers cannot lock real peers out:
//
//   - The peer table holds MaxPeers entries, at most 64 per source address
//     (but for loopback addresses, this host's own processes);
//     when either bound is reached, an unproven entry makes room (the
//     stalest unconnected one, else the oldest connection of a peer never
//     heard in a beacon, dropped with ErrEvicted).
//   - A connection whose peer sends no beacon is dropped with
//     ErrPeerTimeout PeerTimeout after it was made (native mode, while
//     discovery runs).
//   - At most BroadcastConfig.MaxConns peers are connected at once (default
//     128); a peer heard in a beacon may evict a connection that never
//     beaconed.
//   - At most 32 identify exchanges run at once, and once half of them are
//     taken, 8 per source address; further connections are closed at once.
//   - At most 16 dials run at once (once half are taken, 8 to one
//     address; loopback addresses, this host's own processes, are exempt
//     from both per-address bounds), and a connector dials
//     one address and port at most twice at once and then twice a second,
//     whatever the beacons say: a forged beacon cannot turn the LAN's
//     connectors into a flood of connections at a third host. One datagram
//     never starts more than one dial.
//
// BroadcastStats counts what these limits turned away (DroppedFull,
// Evicted, DialsLimited, Rejected).
//
// # Goroutines and callbacks
//
// A started BroadcastConnector runs a beacon sender, a beacon listener, a
// TCP acceptor, one goroutine per dial and per incoming identify exchange
// in flight (bounded), a connection watcher and a callback dispatcher. The
// first three and the dials end when discovery ends (Timeout, OneToOne, or
// Stop); the last two at Stop, which waits for all of them. Each sleeps on
// a socket or a timer: an idle connector costs a few wake-ups per Interval.
//
// OnConnect and OnDisconnect run on the dispatcher goroutine, one at a
// time, in order, never with a lock held. They may call Stop, which then
// does not wait for the callback goroutine (see Stop).
//
// # mDNS and other discoverers
//
// BroadcastConfig.Discovery plugs in another way of finding peers (a
// Discoverer); with DiscoveryOnly it replaces broadcast beacons. Package
// github.com/cablecar-go/cablecar/connector/mdns provides mDNS/DNS-SD, for
// networks that filter broadcast but pass multicast; it is a separate
// package so that programs that do not import it do not link mDNS and DNS
// code. A Discoverer's sightings feed the same peer table as beacons, so a
// peer found both ways is one peer with one connection; entries expire
// after PeerTimeout without a sighting. Discovery cannot be combined with
// Compat.
//
// # When nobody is found
//
// Diagnose is the doctor: it checks, for a BroadcastConfig, the interfaces
// beacons would use and those skipped (and why), the ports, firewall rules
// (nftables, iptables), whether our own beacon comes back, what else is
// heard on the port (other application ids, other protocol versions,
// cable_car's "BROADCAST", garbage) and whether the Discoverer finds
// itself, and returns a Report: one Finding per line, with a severity and
// advice (cpumon -doctor prints it). While discovery runs,
// BroadcastConnector.Progress says where it stands without blocking
// ("looking for peers on eth0 (10.0.0.255), 0 heard for 5s"), and its
// Problem the likely reason nobody is found, from live counters (no usable
// interface, every send failed, our own beacons do not come back, only
// other applications heard, ...). Connect that ends with nobody wraps that
// reason (NoPeerReason), so errors.Is(err, ErrNoEcho) works on its error.
// PeerDiscovery gives, per peer, the path that found it (broadcast, mDNS),
// the interface and the share of its beacons heard (Quality).
//
// # Compat mode
//
// With Compat the connector speaks cable_car 1.0.1's discovery (see
// docs/compat.md): the 9-byte datagram "BROADCAST" (sent to each interface's
// broadcast address), UDP 8222 / TCP 8223 by default, no identify exchange,
// peers keyed by IP, the first connection per IP kept. Go and Python peers
// find each other. What compat cannot do: many instances per host (the TCP
// port is fixed), names or metadata, settle simultaneous dials with a
// Python peer (its own table keeps the first socket; a later duplicate is
// closed on our side), beacon expiry (Python peers stop beaconing when
// their discovery times out): compat peers are dropped only when the
// connection closes or TCP keepalive fails. Datagrams other than
// "BROADCAST", and beacons from this host's own addresses, are ignored
// (with Loopback, the peer must use another 127.x address than 127.0.0.1).
package connector
