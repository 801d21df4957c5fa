package relay

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/room"
	"github.com/nats-io/nats.go"
)

// Bounds against a hostile client of the server, which may publish
// anything on the relay's subjects: beacons of new peers and opens of new
// streams beyond these are dropped (counted in Stats.BadFrames).
const (
	MaxPeers   = 4096
	MaxStreams = 1024
)

// Relay is a room.Transport that reaches the peers of one application
// through a NATS server: give it in room.Config.Transports. It finds them
// by presence beacons and carries each peer's stream (one Conn) over the
// subjects described in the package documentation.
type Relay struct {
	cfg Config

	started atomic.Bool
	info    room.TransportInfo
	subj    subjects
	self    uint64
	epoch   uint64
	nc      *nats.Conn
	chunk   int // stream bytes per NATS message
	closedC chan struct{}

	mu      sync.Mutex
	closed  bool
	peers   map[uint64]*remote
	streams map[uint64]*Conn

	done chan struct{}
	wg   sync.WaitGroup

	stats counters

	// testDrop, set by tests before Start, drops the stream frames for
	// which it returns true, as a lossy path would.
	testDrop func(b []byte) bool
	// testRecv, set by tests before Start, runs first in the handler of
	// the peer subject.
	testRecv func()

	subs []*nats.Subscription
}

// remote is a peer seen on the presence subject.
type remote struct {
	epoch  uint64
	name   string
	seen   time.Time
	opened bool      // the stream of this sighting is opened (or due)
	openAt time.Time // when to open it (OpenDelay)
}

// Stats are a Relay's counters since Start.
type Stats struct {
	Peers        int    // peers present now
	Streams      int    // streams open now (closing ones included)
	Opened       uint64 // streams opened, both ways
	Reconnects   uint64 // reconnects to a server (nats.go's reconnect)
	Disconnects  uint64 // connections to a server lost
	Retransmits  uint64 // frames sent again
	Duplicates   uint64 // frames received again (dropped)
	OutOfOrder   uint64 // frames after a gap (dropped, then resent)
	SlowConsumer uint64 // slow-consumer reports (ErrSlowConsumer)
	Dropped      uint64 // messages the NATS client dropped for the relay (while connected)
	BadFrames    uint64 // messages on the relay's subjects that are no relay frames
	Expired      uint64 // peers whose presence expired
}

type counters struct {
	opened, reconnects, disconnects, retransmits, duplicates, outOfOrder atomic.Uint64
	slow, dropped, bad, expired                                          atomic.Uint64
}

// New makes a Relay with cfg (nil for the defaults); it connects at Start,
// which the Room calls. A Relay serves one Room.
func New(cfg *Config) (*Relay, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Relay{
		cfg:     c,
		peers:   make(map[uint64]*remote),
		streams: make(map[uint64]*Conn),
		done:    make(chan struct{}),
		closedC: make(chan struct{}),
	}, nil
}

// Start connects to the server (bounded by ctx), subscribes and starts
// the presence beacons. The Room calls it from New.
func (r *Relay) Start(ctx context.Context, info room.TransportInfo) error {
	if !r.started.CompareAndSwap(false, true) {
		return ErrStarted
	}
	if info.Accept == nil || info.Self == 0 {
		return fmt.Errorf("%w: TransportInfo without Accept or Self", ErrInvalidConfig)
	}
	if info.Interval <= 0 {
		info.Interval = time.Second
	}
	if info.PeerTimeout <= info.Interval {
		info.PeerTimeout = 4 * info.Interval
	}
	if info.Name == "" {
		info.Name, _ = os.Hostname()
	}
	r.info = info
	r.self = uint64(info.Self)
	r.epoch = randomUint64()
	r.subj = newSubjects(info.AppID)

	opts := []nats.Option{
		nats.Name("cablecar relay " + info.AppID),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(r.cfg.ReconnectWait),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { r.stats.disconnects.Add(1) }),
		nats.ReconnectHandler(func(*nats.Conn) { r.reconnected() }),
		nats.ErrorHandler(r.asyncError),
		nats.ClosedHandler(func(*nats.Conn) { close(r.closedC) }),
	}
	if dl, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(max(time.Until(dl), time.Millisecond)))
	}
	if r.cfg.Token != "" {
		opts = append(opts, nats.Token(r.cfg.Token))
	}
	if r.cfg.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(r.cfg.NKeySeedFile)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConnect, err)
		}
		opts = append(opts, o)
	}
	if r.cfg.TLS != nil {
		opts = append(opts, nats.Secure(r.cfg.TLS))
	}
	opts = append(opts, r.cfg.Options...)
	if err := ctx.Err(); err != nil {
		return err
	}
	nc, err := nats.Connect(r.cfg.URL, opts...)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConnect, err)
	}
	r.nc = nc
	r.chunk = min(int(nc.MaxPayload())-frameHeader, maxChunk, r.cfg.Window/4)
	for _, s := range []struct {
		subj string
		cb   nats.MsgHandler
	}{{r.subj.presence, r.onPresence}, {r.subj.peer(r.self), r.onFrame}} {
		sub, err := nc.Subscribe(s.subj, s.cb)
		if err == nil && (r.cfg.PendingMsgs > 0 || r.cfg.PendingBytes > 0) {
			pm, pb, _ := sub.PendingLimits()
			if r.cfg.PendingMsgs > 0 {
				pm = r.cfg.PendingMsgs
			}
			if r.cfg.PendingBytes > 0 {
				pb = r.cfg.PendingBytes
			}
			err = sub.SetPendingLimits(pm, pb)
		}
		if err != nil {
			r.closeNATS()
			return fmt.Errorf("%w: subscribe %s: %w", ErrConnect, s.subj, err)
		}
		r.subs = append(r.subs, sub)
	}
	flush := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		flush = max(time.Until(dl), time.Millisecond)
	}
	if err := nc.FlushTimeout(flush); err != nil {
		r.closeNATS()
		return fmt.Errorf("%w: %w", ErrConnect, err)
	}
	r.beacon(false)
	r.wg.Add(1)
	go r.loop()
	return nil
}

func randomUint64() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		if v := binary.BigEndian.Uint64(b[:]); v != 0 {
			return v
		}
	}
}

// Close says goodbye on the presence subject, ends every stream (their
// Read and Write return ErrClosed), closes the NATS connection and waits
// for the relay's goroutines. It is idempotent.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	streams := r.streams
	r.streams = make(map[uint64]*Conn)
	r.mu.Unlock()
	if !r.started.Load() || r.nc == nil {
		return nil
	}
	close(r.done)
	r.wg.Wait()
	for _, c := range streams {
		c.fail(ErrClosed)
	}
	r.beacon(true)
	_ = r.nc.FlushTimeout(time.Second)
	r.closeNATS()
	return nil
}

// closeNATS closes the connection and waits until nats.go says it is.
func (r *Relay) closeNATS() {
	r.nc.Close()
	<-r.closedC
}

// Stats returns the relay's counters.
func (r *Relay) Stats() Stats {
	r.mu.Lock()
	s := Stats{Peers: len(r.peers), Streams: len(r.streams)}
	r.mu.Unlock()
	s.Opened = r.stats.opened.Load()
	s.Reconnects = r.stats.reconnects.Load()
	s.Disconnects = r.stats.disconnects.Load()
	s.Retransmits = r.stats.retransmits.Load()
	s.Duplicates = r.stats.duplicates.Load()
	s.OutOfOrder = r.stats.outOfOrder.Load()
	s.SlowConsumer = r.stats.slow.Load()
	s.Dropped = r.stats.dropped.Load()
	for _, sub := range r.subs {
		if n, err := sub.Dropped(); err == nil {
			s.Dropped += uint64(n)
		}
	}
	s.BadFrames = r.stats.bad.Load()
	s.Expired = r.stats.expired.Load()
	return s
}

// ID returns the peer id the relay announces (the Room's); 0 before Start.
func (r *Relay) ID() room.PeerID { return room.PeerID(r.self) }

// asyncError is nats.go's error handler.
func (r *Relay) asyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	if errors.Is(err, nats.ErrSlowConsumer) {
		r.stats.slow.Add(1)
		err = fmt.Errorf("%w on %s: %w", ErrSlowConsumer, subjectOf(sub), err)
	}
	if r.cfg.OnError != nil {
		r.cfg.OnError(err)
	}
}

func subjectOf(sub *nats.Subscription) string {
	if sub == nil {
		return "?"
	}
	return sub.Subject
}

// reconnected runs on nats.go's goroutine after a reconnect: beacon at
// once and resend what is not acknowledged.
func (r *Relay) reconnected() {
	r.stats.reconnects.Add(1)
	r.cfg.Logger.Debug("relay: reconnected", "server", r.nc.ConnectedUrlRedacted())
	r.beacon(false)
	r.mu.Lock()
	streams := make([]*Conn, 0, len(r.streams))
	for _, c := range r.streams {
		streams = append(streams, c)
	}
	r.mu.Unlock()
	for _, c := range streams {
		c.resend(time.Now(), true)
	}
}

// publish sends a stream frame; a failure (the client's reconnect buffer
// is full) is a loss the stream recovers from by resending.
func (r *Relay) publish(subj string, b []byte) error {
	if r.testDrop != nil && r.testDrop(b) {
		return nil
	}
	return r.nc.Publish(subj, b)
}

// beacon publishes this relay's presence.
func (r *Relay) beacon(bye bool) {
	b := appendPresence(nil, presenceMsg{bye: bye, id: r.self, epoch: r.epoch, name: r.info.Name})
	_ = r.nc.Publish(r.subj.presence, b)
}

// onPresence handles a beacon (nats.go's subscription goroutine).
func (r *Relay) onPresence(m *nats.Msg) {
	p, err := parsePresence(m.Data)
	if err != nil {
		r.stats.bad.Add(1)
		return
	}
	if p.id == r.self {
		return
	}
	now := time.Now()
	var gone, bye []*Conn
	answer := false
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	old := r.peers[p.id]
	switch {
	case p.bye:
		if old != nil {
			delete(r.peers, p.id)
			for _, c := range r.streams {
				if c.peer == p.id {
					bye = append(bye, c)
				}
			}
		}
	case old != nil && (old.epoch == p.epoch || old.epoch == 0): // 0: known by its open only
		old.seen = now
		old.name = p.name
		old.epoch = p.epoch
	default: // a new peer, or one that restarted
		if old == nil && len(r.peers) >= MaxPeers {
			r.mu.Unlock()
			r.stats.bad.Add(1)
			return
		}
		if old != nil {
			gone = r.streamsOfLocked(p.id)
		}
		r.peers[p.id] = &remote{epoch: p.epoch, name: p.name, seen: now, openAt: now.Add(r.cfg.OpenDelay)}
		answer = true
		r.cfg.Logger.Debug("relay: peer seen", "peer", fmt.Sprintf("%016x", p.id), "name", p.name)
	}
	r.mu.Unlock()
	for _, c := range gone {
		c.fail(&goneError{cause: "it restarted"})
	}
	for _, c := range bye {
		c.bye(now)
	}
	if answer {
		r.beacon(false) // so that it sees us now, not an Interval later
		r.openDue(now)
	}
}

// streamsOfLocked removes and returns the streams to peer id.
func (r *Relay) streamsOfLocked(id uint64) []*Conn {
	var out []*Conn
	for k, c := range r.streams {
		if c.peer == id {
			out = append(out, c)
			delete(r.streams, k)
		}
	}
	return out
}

// openDue opens the streams due: this side opens to peers of a higher id,
// once per sighting.
func (r *Relay) openDue(now time.Time) {
	var open []*Conn
	r.mu.Lock()
	for id, p := range r.peers {
		if p.opened || id < r.self || now.Before(p.openAt) || r.closed || len(r.streams) >= MaxStreams {
			continue
		}
		p.opened = true
		c := newConn(r, id, randomUint64(), p.name)
		r.streams[c.stream] = c
		open = append(open, c)
	}
	r.mu.Unlock()
	for _, c := range open {
		r.stats.opened.Add(1)
		c.sendOpen()
		r.cfg.Logger.Debug("relay: stream opened", "peer", fmt.Sprintf("%016x", c.peer))
		r.info.Accept(room.TransportConn{Conn: c, Peer: room.PeerID(c.peer), Name: c.name})
	}
}

// onFrame handles a stream frame (nats.go's subscription goroutine).
func (r *Relay) onFrame(m *nats.Msg) {
	if r.testRecv != nil {
		r.testRecv()
	}
	f, err := parseFrame(m.Data)
	if err != nil || f.from == r.self {
		r.stats.bad.Add(1)
		return
	}
	r.mu.Lock()
	c := r.streams[f.stream]
	if c == nil && f.kind == kindOpen && !r.closed {
		if len(r.streams) >= MaxStreams || (r.peers[f.from] == nil && len(r.peers) >= MaxPeers) {
			r.mu.Unlock()
			r.stats.bad.Add(1)
			return
		}
		name := string(f.data)
		if p := r.peers[f.from]; p == nil { // its open came before its beacon
			r.peers[f.from] = &remote{seen: time.Now(), opened: true}
		}
		c = newConn(r, f.from, f.stream, name)
		c.rseq = 1
		r.streams[f.stream] = c
		r.mu.Unlock()
		r.stats.opened.Add(1)
		c.ackNow(false)
		r.cfg.Logger.Debug("relay: stream accepted", "peer", fmt.Sprintf("%016x", c.peer))
		r.info.Accept(room.TransportConn{Conn: c, Peer: room.PeerID(c.peer), Name: c.name})
		return
	}
	r.mu.Unlock()
	if c == nil && f.kind == kindFin {
		// The end of a stream this side forgot (its own end was
		// acknowledged first): acknowledge it, so the peer stops resending.
		_ = r.publish(r.subj.peer(f.from), appendAck(make([]byte, 0, ackLen), r.self, f.stream, f.seq+1, 0, false))
		return
	}
	if c == nil || c.peer != f.from {
		return // a stream that ended: its frames are late resends
	}
	c.onFrame(&f)
}

// forget removes a finished stream.
func (r *Relay) forget(c *Conn) {
	r.mu.Lock()
	if r.streams[c.stream] == c {
		delete(r.streams, c.stream)
	}
	r.mu.Unlock()
}

// loop beacons, expires peers, opens delayed streams, acks and resends.
func (r *Relay) loop() {
	defer r.wg.Done()
	tick := min(r.cfg.Retransmit/4, r.info.Interval/4, 50*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	nextBeacon := time.Now().Add(r.info.Interval)
	var streams []*Conn
	for {
		select {
		case <-r.done:
			return
		case now := <-t.C:
			if !now.Before(nextBeacon) {
				r.beacon(false)
				nextBeacon = now.Add(r.info.Interval)
			}
			r.expire(now)
			r.openDue(now)
			streams = streams[:0]
			r.mu.Lock()
			for _, c := range r.streams {
				streams = append(streams, c)
			}
			r.mu.Unlock()
			for _, c := range streams {
				c.tick(now)
			}
			clear(streams)
		}
	}
}

// expire drops the peers not heard for the peer timeout.
func (r *Relay) expire(now time.Time) {
	var gone []*Conn
	r.mu.Lock()
	for id, p := range r.peers {
		if now.Sub(p.seen) > r.info.PeerTimeout {
			delete(r.peers, id)
			gone = append(gone, r.streamsOfLocked(id)...)
			r.stats.expired.Add(1)
			r.cfg.Logger.Debug("relay: peer expired", "peer", fmt.Sprintf("%016x", id))
		}
	}
	r.mu.Unlock()
	for _, c := range gone {
		c.fail(&goneError{timeout: true, cause: "no presence beacon for the peer timeout"})
	}
}
