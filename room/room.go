package room

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// Room is a game's set of peers: one pump for all of them (Xfer), one
// stream of events (Get), messages to one peer, to all, or to a group.
//
// Xfer, Get, Recv, Send, SendAll, JoinGroup, LeaveGroup, Publish, Peers,
// Members and Close belong to one goroutine at a time (the game loop's);
// ID and Addr may be called from any goroutine.
type Room struct {
	cfg   Config
	codec message.Codec
	id    PeerID
	log   interface{ Debug(string, ...any) }

	ctx    context.Context // ends at Close: bounds the hellos and dials
	cancel context.CancelFunc
	bc     *connector.BroadcastConnector
	srv    *connector.DirectServer
	wg     sync.WaitGroup // hellos, dials, Serve

	mu       sync.Mutex
	closed   bool
	arrivals []arrival // peers ready and connections refused, for Xfer
	pending  atomic.Bool
	cseq     atomic.Uint64 // the last compat PeerID drawn
	wake     chan struct{} // signalled on each arrival, for Recv

	// Owned by the game loop.
	peers   []*peer
	ms      []*messenger.Messenger // peers[i].m, for the idle loops
	faulty  bool                   // a peer has a fault: the next Xfer drops it
	byID    map[PeerID]*peer
	events  []Event
	evHead  int
	cursor  int
	groups  map[string]struct{}
	last    map[string]message.Message // the last message this room published per group
	scratch []byte
	isClose bool
	byeSent bool                  // Shutdown sent the goodbyes
	work    map[string]*workQueue // the queues this room produces to
	workDue bool                  // a queue may have items to hand out
	ackDue  bool                  // a peer has acks waiting for room in its queue
	seq     uint64                // the last item id handed out
	xfers   uint64                // Xfer calls, for tests
	epoch   time.Time             // New's time: the secure modes' clock counts from it
	now     time.Duration         // at the last Xfer, in a secure mode with a deadline

	sec secState // Password, Invite, Code (secure.go)
}

// peer is one peer in the room.
type peer struct {
	id      PeerID
	name    string
	addr    string
	m       *messenger.Messenger
	groups  map[string]struct{} // the groups it announced
	tag     string              // group of its next message (a tag arrived)
	bye     bool                // it said goodbye
	viaCode bool                // it came in with the join code
	origin  origin              // how its connection came (Room.Discovery)
	fault   error               // it broke a rule: the next Xfer drops it
	dirty   bool                // a tag of ours was queued without its message
	gone    bool

	// Work queues: as a consumer of this peer's items...
	item ctrlItem // the item the next message is (item.Seq != 0)
	acks []uint64 // acks not yet queued (its write queue was full)
	// ... and as a producer for this peer.
	credits  map[string]int      // items it asked for, per queue
	inflight map[uint64]workItem // items sent to it and not acked
}

// arrival is a peer whose hello succeeded, or a refusal.
type arrival struct {
	p  *peer
	ev Event
}

// New starts a Room: discovery (or the listener and dials of Config.Listen
// and Config.Dial) runs in the background from now on, and peers appear
// in Get as they complete their hello. ctx bounds the set-up only (binding
// sockets); Close ends the Room.
func New(ctx context.Context, cfg *Config) (*Room, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if !c.Compat { // a compat peer knows none of them
		if err := registerControls(c.Codec); err != nil {
			return nil, err
		}
	}
	r := &Room{
		cfg:    c,
		codec:  c.Codec,
		log:    c.Logger,
		byID:   make(map[PeerID]*peer),
		groups: make(map[string]struct{}),
		last:   make(map[string]message.Message),
		work:   make(map[string]*workQueue),
		wake:   make(chan struct{}, 1),
		epoch:  time.Now(),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if err := r.startLAN(ctx); err != nil {
		return nil, err
	}
	if err := r.startTransports(ctx); err != nil {
		r.stopLAN()
		return nil, err
	}
	if r.sec.mode == secHost {
		if err := r.startInvite(ctx); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// startLAN starts the Room's own way of finding peers (discovery, or
// Listen and Dial) unless Config.Transports leaves it out, and sets r.id
// and the secure mode.
func (r *Room) startLAN(ctx context.Context) error {
	c := &r.cfg
	if c.direct() || !c.lan() {
		if err := r.initSecure(nil); err != nil {
			r.cancel()
			return err
		}
		r.id = randomID()
		if !c.lan() {
			return nil
		}
		if err := r.startDirect(ctx); err != nil {
			r.cancel()
			r.wg.Wait()
			return err
		}
		return nil
	}
	bcfg := connector.BroadcastConfig{
		AppID:        c.AppID,
		Name:         c.Name,
		Loopback:     c.Loopback,
		UDPPort:      c.UDPPort,
		TCPPort:      c.TCPPort,
		Interval:     c.Interval,
		PeerTimeout:  c.PeerTimeout,
		MaxConns:     c.MaxConns,
		Discovery:    c.Discovery,
		OneToOne:     c.OneToOne,
		Compat:       c.Compat,
		Logger:       c.Logger,
		OnConnect:    r.onConnect,
		OnDisconnect: func(connector.Peer, error) {}, // the Messenger sees the close
	}
	if err := r.initSecure(&bcfg); err != nil {
		r.cancel()
		return err
	}
	bc, err := connector.NewBroadcastConnector(&bcfg)
	if err != nil {
		r.cancel()
		return fmt.Errorf("room: %w", err)
	}
	r.bc = bc
	r.id = PeerID(bc.ID()) // one id per process: beacons and hellos
	if err := bc.Start(ctx); err != nil {
		r.cancel()
		bc.Stop()
		return fmt.Errorf("room: %w", err)
	}
	return nil
}

// stopLAN undoes startLAN after a later failure of New.
func (r *Room) stopLAN() {
	r.cancel()
	if r.bc != nil {
		r.bc.Stop()
	}
	if r.srv != nil {
		r.srv.Close()
	}
	r.wg.Wait()
}

func randomID() PeerID {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		if id := PeerID(binary.BigEndian.Uint64(b[:])); id != 0 {
			return id
		}
	}
}

// startDirect listens on Config.Listen and dials Config.Dial.
func (r *Room) startDirect(ctx context.Context) error {
	if r.cfg.Listen != "" {
		r.srv = &connector.DirectServer{
			Addr:      r.cfg.Listen,
			MaxConns:  r.cfg.MaxConns,
			Logger:    r.cfg.Logger,
			OnConnect: func(conn net.Conn) { r.startHello(conn, 0, "", r.passwordKey(), origin{via: ViaListen}) },
		}
		if err := r.srv.Listen(ctx); err != nil {
			return fmt.Errorf("room: %w", err)
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			_ = r.srv.Serve(r.ctx) // ends with Close
		}()
	}
	dialer := &connector.DirectClient{Timeout: r.cfg.DialTimeout, Logger: r.cfg.Logger}
	for _, addr := range r.cfg.Dial {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			conn, err := dialer.Dial(r.ctx, addr)
			if err != nil {
				r.arrive(arrival{ev: Rejected{Addr: addr, Reason: fmt.Errorf("%w: %w", ErrDial, err)}})
				return
			}
			r.hello(conn, 0, "", r.passwordKey(), origin{via: ViaDial})
		}()
	}
	return nil
}

// onConnect runs on the connector's callback goroutine.
func (r *Room) onConnect(p connector.Peer) {
	k, err := r.keyFor(p)
	if err != nil {
		r.refuse(p.Conn, err)
		return
	}
	r.startHello(p.Conn, PeerID(p.ID), p.Name, k, origin{via: ViaDiscovery, disc: p.ID})
}

// startHello runs the hello of conn on a goroutine of its own, unless the
// Room is closing.
func (r *Room) startHello(conn net.Conn, want PeerID, name string, k *helloKey, o origin) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		conn.Close()
		return
	}
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		r.hello(conn, want, name, k, o)
	}()
}

// hello makes conn's Messenger, bounded by HelloTimeout, and hands the
// peer (or the refusal) to Xfer. want is the peer id discovery announced,
// 0 if unknown. k is the secret of its handshake, nil for none; o how the
// connection came (Room.Discovery).
func (r *Room) hello(conn net.Conn, want PeerID, name string, k *helloKey, o origin) {
	addr := conn.RemoteAddr().String()
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.HelloTimeout)
	defer cancel()
	opts := &messenger.Options{
		AppID:         r.cfg.AppID,
		PeerID:        uint64(r.id),
		MaxWriteQueue: r.cfg.MaxWriteQueue,
		MaxReadBuffer: r.cfg.MaxReadBuffer,
		PingInterval:  r.cfg.Interval,    // liveness and the round trip: the Messenger's pings
		PeerTimeout:   r.cfg.PeerTimeout, // ErrPeerTimeout, classified as ours
		Logger:        r.cfg.Logger,
		Compat:        r.cfg.Compat,
	}
	secureOpts(opts, k)
	m, err := messenger.New(ctx, conn, r.codec, opts)
	if k != nil && k.viaCode {
		r.codeHelloDone(k, addr, err)
	}
	if err != nil {
		conn.Close()
		r.arrive(arrival{ev: Rejected{Addr: addr, Reason: fmt.Errorf("%w: %w", ErrHello, err)}})
		return
	}
	id := PeerID(m.Remote().PeerID)
	if r.cfg.Compat {
		id = r.compatID() // cable_car peers have no id
	}
	if want != 0 && id != want {
		m.Close()
		r.arrive(arrival{ev: Rejected{Addr: addr, Reason: fmt.Errorf("%w: the hello gives peer id %016x, discovery %016x", ErrHello, uint64(id), uint64(want))}})
		return
	}
	if id == r.id {
		m.Close()
		r.arrive(arrival{ev: Rejected{Addr: addr, Reason: fmt.Errorf("%w: connected to itself", ErrHello)}})
		return
	}
	r.arrive(arrival{p: &peer{id: id, name: name, addr: addr, m: m, viaCode: k != nil && k.viaCode, origin: o}})
}

// arrive hands a to the game loop; after Close it closes the peer.
func (r *Room) arrive(a arrival) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		if a.p != nil {
			a.p.m.Close()
		}
		return
	}
	r.arrivals = append(r.arrivals, a)
	r.pending.Store(true)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// ID returns this room's peer id, the one its peers see.
func (r *Room) ID() PeerID { return r.id }

// Addr returns the address peers connect to: the Config.Listen
// listener's, or with discovery the one the BroadcastConnector accepts
// connections on. It is nil when the Room only dials.
func (r *Room) Addr() net.Addr {
	if r.srv != nil {
		return r.srv.LocalAddr()
	}
	if r.bc != nil {
		return net.TCPAddrFromAddrPort(r.bc.TCPAddr())
	}
	return nil
}

// Shutdown says goodbye to every peer, waits (bounded by ctx) until
// everything queued for them, the goodbye included, is written, then
// closes the Room as Close does. Every peer then sees a clean leave
// (ErrPeerLeft) after every message sent to it, and the acks of the work
// items this room took reach their producers. It returns ctx's error if
// ctx ended first (the Room is closed all the same).
func (r *Room) Shutdown(ctx context.Context) error {
	if r.isClose {
		return nil
	}
	var err error
	for _, p := range r.peers {
		if !r.cfg.Compat {
			_ = p.m.Send(&ctrlBye{})
		}
	}
	r.byeSent = true
	for _, p := range r.peers {
		if e := p.m.Flush(ctx); e != nil && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
	}
	r.Close()
	return err
}

// Close says goodbye to every peer (so that they see a clean leave,
// ErrPeerLeft), closes their Messengers, stops discovery and waits for
// every goroutine of the Room. Like a Messenger's Close it does not wait
// for the peers: the goodbye leaves with what is queued when that fits in
// one direct write (512 bytes) and the socket's buffer; otherwise what is
// queued, goodbye included, is dropped and that peer sees ErrPeerReset
// (use Shutdown to deliver it all). Close is idempotent; later calls of
// the other methods return ErrClosed.
func (r *Room) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	arrivals := r.arrivals
	r.arrivals = nil
	r.mu.Unlock()
	r.isClose = true
	for _, p := range r.peers {
		if !r.byeSent && !r.cfg.Compat {
			_ = p.m.Send(&ctrlBye{})
		}
		_ = p.m.Xfer()
	}
	for _, p := range r.peers {
		p.m.Close()
	}
	r.peers, r.ms = nil, nil
	clear(r.byID)
	r.cancel()
	r.stopTransports(len(r.cfg.Transports))
	if r.bc != nil {
		r.bc.Stop()
	}
	if r.srv != nil {
		r.srv.Close()
	}
	r.wg.Wait()
	for _, a := range arrivals {
		if a.p != nil {
			a.p.m.Close()
		}
	}
	return nil
}
