package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// BroadcastConnector finds peers of the same application on the LAN by UDP
// broadcast beacons and connects to them over TCP; see the package
// documentation for the protocol, the peer lifecycle and the goroutines it
// runs. Create it with NewBroadcastConnector, then call Start (returns at
// once) or Connect (blocks), and Stop when done. Its methods are safe for
// concurrent use.
type BroadcastConnector struct {
	cfg   BroadcastConfig
	id    PeerID
	log   *slog.Logger
	stats stats
	diag  diagCounters // for Progress (progress.go)
	hooks testHooks

	sweepEvery time.Duration
	dialSem    chan struct{} // bounds dials in flight
	hsSem      chan struct{} // bounds incoming identify exchanges in flight
	kick       chan struct{} // asks the sender for an early beacon
	evSignal   chan struct{} // new events queued
	evClose    chan struct{} // Stop: run the last events and exit
	stopCh     chan struct{} // Stop: background goroutines exit
	discEnded  chan struct{} // closed when discovery ends (or Stop before Start)
	stopDone   chan struct{} // closed when Stop has finished (by the dispatcher, once it has ended)
	dispGoID   atomic.Uint64 // the dispatcher goroutine's id: Stop called from a callback

	nets atomic.Pointer[netState]
	np   atomic.Uint32 // the nameplate offered (Nameplate, SetNameplate); 0 none

	mu            sync.Mutex
	state         int
	discoveryOn   bool
	finalKind     byte // kindQuiet or kindGoodbye: why discovery ended
	self          record
	peers         map[peerKey]*peerEntry
	events        []event
	dialsInFlight int                            // dial goroutines running
	dialsPerIP    map[netip.Addr]int             // of them, per target address
	dialBuckets   map[netip.AddrPort]*dialBucket // dial allowance per target
	hsPerIP       map[netip.Addr]int             // identify exchanges in flight per source address
	helloBuckets  map[netip.Addr]*dialBucket     // Secured: hello allowance per source address
	join          uint16                         // the nameplate joined (Join, SetJoin); 0 none
	nconns        int                            // connected peers
	udp           *net.UDPConn                   // beacon listener (shared port)
	send          *net.UDPConn                   // beacon sender (ephemeral port)
	tcp           *net.TCPListener               // acceptor
	discovery     DiscoverySession               // cfg.Discovery's, or nil
	discCtx       context.Context
	discCancel    context.CancelFunc

	discWG  sync.WaitGroup // sender, listener, acceptor, dials, identify exchanges
	sweepWG sync.WaitGroup // connection watcher
}

const (
	stateNew = iota
	stateStarted
	stateStopped
)

// peerEntry is one heard and/or connected peer.
type peerEntry struct {
	key         peerKey
	src         netip.Addr // the address it was first heard from or connected from
	created     time.Time
	connectedAt time.Time
	addr        netip.AddrPort // where to dial it
	name        string
	meta        []byte
	heard       bool // a beacon was heard (since the entry was made)
	firstHeard  time.Time
	lastHeard   time.Time
	quiet       bool      // it announced that it stopped beaconing
	np          uint16    // the nameplate its last beacon offered
	leftAt      time.Time // its goodbye came while its connection still held data (see peerLeftLocked)
	dialing     bool
	conn        *peerConn // nil when not connected
	taken       *peerConn // conn, when a sweep left its drop to the Read that took its error (see sweep)
	disc        peerDisc  // paths and beacon quality (discovery_quality.go)
}

// netState is what the sender last read of the interfaces.
type netState struct {
	targets []netip.AddrPort // broadcast destinations
	nets    []netip.Prefix   // subnets peers are heard and accepted from
	ownIPs  []netip.Addr     // this host's IPv4 addresses
}

// testHooks let tests in this package force rare situations.
type testHooks struct {
	alwaysDial bool         // dial on hearing whatever the ids
	beforeDial func(PeerID) // runs on the dial goroutine before connecting
	muted      atomic.Bool  // send no beacons (a peer gone silent)
}

// NewBroadcastConnector returns a connector configured by cfg (nil means
// the zero BroadcastConfig). It checks the configuration (errors wrap
// ErrInvalidConfig) and draws the peer id; it opens no socket.
func NewBroadcastConnector(cfg *BroadcastConfig) (*BroadcastConnector, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bc := &BroadcastConnector{
		cfg:          c,
		id:           newPeerID(),
		log:          log,
		sweepEvery:   max(min(c.Interval, c.PeerTimeout/4), time.Millisecond),
		dialSem:      make(chan struct{}, 16),
		hsSem:        make(chan struct{}, 32),
		kick:         make(chan struct{}, 1),
		evSignal:     make(chan struct{}, 1),
		evClose:      make(chan struct{}),
		stopCh:       make(chan struct{}),
		discEnded:    make(chan struct{}),
		stopDone:     make(chan struct{}),
		peers:        make(map[peerKey]*peerEntry),
		dialsPerIP:   make(map[netip.Addr]int),
		dialBuckets:  make(map[netip.AddrPort]*dialBucket),
		hsPerIP:      make(map[netip.Addr]int),
		helloBuckets: make(map[netip.Addr]*dialBucket),
		join:         uint16(c.Join),
	}
	bc.np.Store(uint32(c.Nameplate))
	return bc, nil
}

// ID returns this connector's peer id, as announced in its beacons.
func (c *BroadcastConnector) ID() PeerID { return c.id }

// TCPAddr returns the address connections are accepted on, valid after
// Start (zero before).
func (c *BroadcastConnector) TCPAddr() netip.AddrPort {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tcp == nil {
		return netip.AddrPort{}
	}
	return c.tcp.Addr().(*net.TCPAddr).AddrPort()
}

// Start opens the sockets and starts discovery in the background, then
// returns. ctx bounds only this setup, not the connector's life (use Stop,
// or BroadcastConfig.Timeout). It fails with ErrAlreadyStarted when called
// twice, ErrStopped after Stop, or the socket error (a compat TCP port in
// use, for instance); after a socket error Start may be tried again.
func (c *BroadcastConnector) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.state {
	case stateStarted:
		return ErrAlreadyStarted
	case stateStopped:
		return ErrStopped
	}
	if err := c.bindLocked(ctx); err != nil {
		return err
	}
	c.self = record{
		kind: kindBeacon,
		id:   c.id,
		port: c.tcp.Addr().(*net.TCPAddr).AddrPort().Port(),
		app:  []byte(c.cfg.AppID),
		name: []byte(c.cfg.Name),
		meta: c.cfg.Metadata,
	}
	c.refreshNets()
	if c.cfg.Timeout > 0 {
		c.discCtx, c.discCancel = context.WithTimeout(context.Background(), c.cfg.Timeout)
	} else {
		c.discCtx, c.discCancel = context.WithCancel(context.Background())
	}
	if err := c.startDiscoverer(); err != nil {
		c.discCancel()
		c.udp, c.send, c.tcp = closeAll(c.udp, c.send, c.tcp)
		return fmt.Errorf("connector: discovery: %w", err)
	}
	c.state = stateStarted
	c.diag.started.Store(time.Now().UnixNano())
	c.discoveryOn = true
	c.finalKind = kindQuiet
	c.log.Debug("connector: started", "id", c.id, "compat", c.cfg.Compat, "udp", c.cfg.UDPPort,
		"tcp", c.self.port, "loopback", c.cfg.Loopback)

	c.discWG.Add(2)
	go c.sendLoop()
	go c.acceptLoop()
	if !c.cfg.DiscoveryOnly {
		c.discWG.Add(1)
		go c.listenLoop()
	}
	if c.discovery != nil {
		c.discWG.Add(1)
		go c.discoveryLoop(c.discCtx)
	}
	c.sweepWG.Add(1)
	go c.sweepLoop()
	started := make(chan struct{})
	go c.dispatchLoop(started)
	<-started // its id is known before any callback can call Stop
	return nil
}

// bindLocked opens the three sockets.
func (c *BroadcastConnector) bindLocked(ctx context.Context) error {
	host := "0.0.0.0"
	if c.cfg.Loopback {
		host = "127.0.0.1"
	}
	var udp *net.UDPConn
	if !c.cfg.DiscoveryOnly {
		ulc := net.ListenConfig{Control: reuseControl}
		pc, err := ulc.ListenPacket(ctx, "udp4", fmt.Sprintf("0.0.0.0:%d", c.cfg.UDPPort))
		if err != nil {
			return fmt.Errorf("connector: beacon listener: %w", err)
		}
		udp = pc.(*net.UDPConn)
		_ = udp.SetReadBuffer(1 << 20) // rides out bursts of garbage
	}
	closeUDP := func() {
		if udp != nil {
			udp.Close()
		}
	}
	slc := net.ListenConfig{Control: broadcastControl}
	spc, err := slc.ListenPacket(ctx, "udp4", host+":0")
	if err != nil {
		closeUDP()
		return fmt.Errorf("connector: beacon sender: %w", err)
	}
	send := spc.(*net.UDPConn)
	var tlc net.ListenConfig
	ln, err := tlc.Listen(ctx, "tcp4", fmt.Sprintf("%s:%d", host, c.cfg.TCPPort))
	if err != nil {
		closeUDP()
		send.Close()
		return fmt.Errorf("connector: acceptor: %w", err)
	}
	c.udp, c.send, c.tcp = udp, send, ln.(*net.TCPListener)
	return nil
}

// Connect starts discovery if Start was not called, then blocks until
// discovery ends — BroadcastConfig.Timeout passed, or with OneToOne the
// first peer is connected — or ctx ends, or Stop is called. It returns the
// peers connected at that moment. The error is nil when discovery ended
// with a peer connected, wraps ErrTimeout when it ended with none, wraps
// ctx's error when ctx ended first (discovery goes on in the background
// until Stop), or is ErrStopped. Without a connected peer, the error also
// wraps the reason discovery can see (Progress.Problem: ErrNoInterface,
// ErrSendFailed, ErrNoEcho, ErrForeignApp, ...; ErrNoConnection when peers
// were heard but none connected), for errors.Is.
func (c *BroadcastConnector) Connect(ctx context.Context) ([]Peer, error) {
	if err := c.Start(ctx); err != nil && !errors.Is(err, ErrAlreadyStarted) {
		return nil, err
	}
	var cause error
	select {
	case <-c.discEnded:
		c.mu.Lock()
		stopped := c.state == stateStopped
		c.mu.Unlock()
		if stopped {
			return c.Peers(), ErrStopped
		}
		cause = ErrTimeout
	case <-ctx.Done():
		cause = context.Cause(ctx)
	}
	peers := c.Peers()
	if len(peers) > 0 {
		if cause == ErrTimeout {
			return peers, nil
		}
		return peers, fmt.Errorf("connector: connect: %w", cause)
	}
	if why := c.NoPeerReason(); why != nil {
		return peers, fmt.Errorf("connector: connect: %w: nobody found: %w", cause, why)
	}
	return peers, fmt.Errorf("connector: connect: %w: nobody found", cause)
}

// Stop ends discovery (a goodbye beacon tells native peers to drop this one
// at once), closes every peer connection, calls OnDisconnect with
// ErrStopped for each, and returns when every goroutine of the connector
// has ended. It is idempotent; concurrent calls all wait.
//
// Stop may be called from OnConnect or OnDisconnect. It then does all of
// the above except waiting for the callback goroutine, which is the
// caller: the remaining OnDisconnect calls run after the current callback
// returns, and the goroutine ends after them. Other Stop calls still wait
// for that end. From a callback, a second Stop returns at once.
func (c *BroadcastConnector) Stop() error {
	inCallback := c.onDispatcher()
	c.mu.Lock()
	switch c.state {
	case stateStopped:
		c.mu.Unlock()
		if !inCallback {
			<-c.stopDone
		}
		return nil
	case stateNew:
		c.state = stateStopped
		close(c.discEnded)
		close(c.stopDone)
		c.mu.Unlock()
		return nil
	}
	c.state = stateStopped
	c.endDiscoveryLocked(kindGoodbye)
	c.mu.Unlock()

	c.discWG.Wait()
	if !c.cfg.Compat && !c.cfg.DiscoveryOnly {
		c.sendFinal(kindGoodbye)
	}
	c.send.Close()
	c.stopDiscoverer()

	c.mu.Lock()
	for _, e := range c.peers {
		if e.conn != nil {
			c.dropLocked(e, ErrStopped)
		}
	}
	clear(c.peers)
	c.mu.Unlock()

	close(c.stopCh)
	c.sweepWG.Wait()
	c.log.Debug("connector: stopped", "id", c.id)
	close(c.evClose) // the dispatcher runs the last callbacks, then closes stopDone
	if !inCallback {
		<-c.stopDone
	}
	return nil
}

// onDispatcher reports whether the caller is the callback goroutine.
func (c *BroadcastConnector) onDispatcher() bool {
	id := c.dispGoID.Load()
	return id != 0 && id == goroutineID()
}

// endDiscoveryLocked stops beaconing, listening, accepting and dialing.
// Connections stay. final says which last beacon the peers get: quiet
// (connections stay) or goodbye (Stop).
func (c *BroadcastConnector) endDiscoveryLocked(final byte) {
	if !c.discoveryOn {
		return
	}
	c.discoveryOn = false
	c.finalKind = final
	c.discCancel()
	if c.udp != nil {
		c.udp.Close()
	}
	c.tcp.Close()
	close(c.discEnded)
	c.log.Debug("connector: discovery ended", "id", c.id)
}

// Peers returns the connected peers, sorted by id (compat: by address).
func (c *BroadcastConnector) Peers() []Peer {
	c.mu.Lock()
	out := make([]Peer, 0, len(c.peers))
	for _, e := range c.peers {
		if e.conn != nil {
			out = append(out, e.conn.peer)
		}
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Peer) int {
		if a.ID != b.ID {
			if a.ID < b.ID {
				return -1
			}
			return 1
		}
		return a.Addr.Compare(b.Addr)
	})
	return out
}

// Addresses returns the IP addresses of the connected peers, sorted and
// without duplicates: cable_car's addresses() view.
func (c *BroadcastConnector) Addresses() []netip.Addr {
	var out []netip.Addr
	for _, p := range c.Peers() {
		out = append(out, p.Addr.Addr())
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}
