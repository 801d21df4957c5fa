package messenger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/secure"
)

// Messenger moves messages of one codec over one net.Conn. See the package
// documentation for the model and an example.
//
// Send, Xfer, Get, Recv, Flush and Shutdown belong to one goroutine at a
// time (the game loop): they must not be called concurrently with each
// other. Close, Stats, Remote, Local and Conn may be called from any
// goroutine at any time.
type Messenger struct {
	// The fields an idle Xfer and Get read, together (a room pumps many
	// Messengers per frame: each costs a cache line or two, not eight).
	// Owned by the application goroutine, except events and closed.
	raw       *rawConn      // nil when the conn has no usable file descriptor: readLoop mode
	rr        *recordReader // secure mode (see below)
	err       error         // sticky: returned by Xfer and Send from now on
	wq        []byte        // write queue: encoded frames not yet written
	skipsNow  int           // frames skipped since the last Xfer (the skip budget)
	r         int           // next byte Get decodes
	limit     int           // bytes of rbuf published by readLoop, as of the last Xfer
	idleCalls uint32        // direct mode: idle Xfer calls, for coldPollEvery
	events    atomic.Uint32 // ev* bits set by the goroutines
	closed    atomic.Bool
	throttled bool // Get stopped: the skip budget of this Xfer is spent
	stalled   bool // Get found only part of a frame in rbuf[r:limit]
	readDone  bool // reading has ended; readErr is set
	armed     bool // direct mode: watch has been asked to report readability
	hot       bool // direct mode: data arrived less than hotWindow ago
	busy      bool // writeLoop is writing wbuf
	statsDue  bool // Get counted a message or a skip since the last publishStats

	conn  net.Conn
	codec message.Codec
	// resumer is codec when it has DecodeFrom (see message.ResumableDecoder).
	resumer message.ResumableDecoder
	// dec decodes frames: the codec's own Decoder when it makes one
	// (message.DecoderMaker), else the codec.
	dec message.Decoder
	// runner is dec when it is a message.RunDecoder and resumer is nil:
	// Get then decodes runs of frames (decodeRun).
	runner  message.RunDecoder
	run     [runLen]message.Message // decoded by Get, not yet returned: run[runI:runN]
	runI    int
	runN    int
	inCodec bool // decode is inside DecodeUnchecked (a panic there is the frame's)
	inRun   bool // fillRun is inside DecodeRun
	// enc encodes Send's messages: the codec's own Encoder when it makes
	// one (message.EncoderMaker), else the codec.
	enc message.Encoder
	// uenc is enc when it is a message.UncheckedEncoder (see Send).
	uenc   message.UncheckedEncoder
	opts   Options
	log    *slog.Logger
	local  Hello
	remote Hello
	// directMax is the largest queue Xfer writes itself (directWriteMax;
	// benchmarks change it to compare designs).
	directMax int

	// Owned by the application goroutine (Send, Xfer, Get, Recv, Flush,
	// Shutdown).
	lastSkip  error  // the error of the last frame skipped
	skipNew   bool   // lastSkip changed since the last publishStats
	skipBytes int    // bytes skipped since the last Xfer
	rbuf      []byte // read buffer (see readdirect.go and readloop.go)
	epoch     uint32 // readLoop's buffer epoch, as of the last Xfer
	lastRW    uint64 // rw as of the last Xfer
	pubR      uint64 // last value stored in pub
	scanned   int    // bytes from r on that hold no frame end (resume only)
	compact   bool   // readLoop waits for room (see compactRead)
	failed    bool   // fail was called: what readLoop publishes is dropped
	filled    bool   // direct mode: the last read filled rbuf
	lastData  time.Time
	spare     []byte  // the writer's last buffer, for reuse
	inflight  int     // bytes handed to writeLoop and not yet reported written
	counts    counts  // counters, published to stats by Xfer
	countsPub counts  // counters as last published
	fig       figures // ping figures and rates, published by publishFigures

	// Pings, liveness and rates (ping.go); owned by the application
	// goroutine, except ticker, which only posts evTick.
	ctl           bool          // control frames are on: Get takes them out of the stream
	ctlPre        int           // the length of their prefix (controlPrefix)
	pinging       bool          // this side sends pings and checks PeerTimeout
	noPing        bool          // Shutdown: nothing more after the queue
	pingT1        int64         // the last ping's t1 (wall clock, Unix ns)
	pingAt        time.Time     // when it was queued; zero once answered
	pongT3        int           // 1 + the offset in wq of the last pong's t3; 0 if none (stampPong)
	ticker        *time.Timer   // posts evTick every tickEvery, unless tickerOff
	tickerOff     bool          // direct mode, hot: the ticker is stopped, readDirect checks nextTick
	tickDue       bool          // readDirect found nextTick passed: xfer runs tick
	nextTick      time.Time     // when the next tick is due
	tickEvery     time.Duration // PingInterval, or statsWindow without pings
	rateAt        time.Time     // start of the current rate window
	rateBase      counts        // counters at rateAt
	rateOut       uint64        // bytes written at rateAt
	heardBytes    uint64        // bytesIn at the last tick that heard the peer
	heardAt       time.Time     // that tick
	wqSince       time.Time     // when the first byte now in wq was seen queued
	inflightSince time.Time     // the same for the bytes handed to writeLoop
	wqApp         bool          // wq holds bytes of Send (not only control frames)
	flightApp     bool          // the same for the bytes handed to writeLoop
	deadWrite     error         // a write of control frames only failed (see writeFailed)
	ticks         uint64        // ticks run, for tests

	// Secure mode (Options.Secret; nil otherwise). sealer belongs to the
	// application goroutine; rr to it in direct mode and to readLoop
	// otherwise (see record.go).
	sealer     *secure.Sealer
	sas        string
	byePending bool // Shutdown: seal the goodbye after the queue

	// Shared with the goroutines (watch, readLoop, writeLoop).
	rw       atomic.Uint64            // readLoop's epoch<<32 | write offset
	pub      atomic.Uint64            // application's epoch<<32 | read offset
	waiting  atomic.Bool              // a blocking call waits on wake
	notify   atomic.Pointer[notifier] // Notify's channel; nil if none
	wake     chan struct{}            // cap 1: something happened
	resume   chan struct{}            // cap 1: readLoop may go on (after compactRead)
	writeReq chan struct{}            // cap 1: writeLoop has a buffer to write
	armCh    chan struct{}            // cap 1: watch should wait for readability
	readErr  error                    // set by readLoop before evReadErr, or by readDirect
	wbuf     []byte                   // the buffer writeLoop writes (handed over by writeReq)
	wbufAll  []byte                   // wbuf's whole backing array, for reuse
	werr     error                    // set by writeLoop before evWriteErr
	written  atomic.Uint64            // bytes written by writeLoop

	stats struct {
		sync.Mutex
		c        counts
		f        figures
		lastSkip error
	}

	mu        sync.Mutex // guards writer start against Close
	closing   chan struct{}
	closeOnce sync.Once
	connOnce  sync.Once
	closeErr  error
	wg        sync.WaitGroup
	live      atomic.Int32 // goroutines running, for tests
	writerOn  bool
}

// counts are the application-side counters.
type counts struct {
	msgsIn, msgsOut, bytesIn, bytesOutDirect, skipped uint64
	skippedUnknown, skippedPayload, skippedMalformed  uint64
	writeQueue, readBuffered, readBufferCap           int
	queuedSince                                       time.Time // the oldest queued byte's; zero when none
}

// figures are the application-side figures that change once per tick or
// pong: published apart from counts (publishFigures), so that the hot
// path's publishStats stays as small as it was.
type figures struct {
	pingsIn, pingsOut, pongsIn, pongsUsed              uint64
	srtt, rttvar, minRTT, lastRTT, jitter, offset      time.Duration
	msgsInRate, msgsOutRate, bytesInRate, bytesOutRate float64
}

// New returns a Messenger on conn using codec. Unless opts.Compat is set it
// first exchanges hellos with the peer (see Hello), bounded by ctx: give ctx
// a deadline, or a peer that never answers (such as a cable_car 1.0.1 peer)
// makes New wait for ever. A peer whose hello does not match gives a
// *HelloError (errors.Is(err, ErrBadHello)); an expired ctx gives an error
// wrapping ctx.Err().
//
// New never closes conn: on error the caller still owns it and should close
// it (its deadline has been cleared, but part of a hello may have been
// written or read). On success the Messenger owns conn; close it with Close
// or Shutdown. opts may be nil.
func New(ctx context.Context, conn net.Conn, codec message.Codec, opts *Options) (*Messenger, error) {
	if conn == nil || codec == nil {
		return nil, errors.New("messenger: New needs a conn and a codec")
	}
	o := opts.withDefaults()
	if o.Compat && len(o.Secret) != 0 {
		return nil, ErrCompatSecret
	}
	resumer, _ := codec.(message.ResumableDecoder)
	var dec message.Decoder = codec
	if dm, ok := codec.(message.DecoderMaker); ok {
		dec = dm.NewDecoder()
	}
	var enc message.Encoder = codec
	if em, ok := codec.(message.EncoderMaker); ok {
		enc = em.NewEncoder()
	}
	uenc, _ := enc.(message.UncheckedEncoder) // see Send
	runner, _ := dec.(message.RunDecoder)
	if resumer != nil {
		runner = nil
	}
	m := &Messenger{
		runner:    runner,
		resumer:   resumer,
		dec:       dec,
		enc:       enc,
		uenc:      uenc,
		conn:      conn,
		codec:     codec,
		opts:      o,
		log:       o.Logger,
		directMax: directWriteMax,
		wake:      make(chan struct{}, 1),
		resume:    make(chan struct{}, 1),
		writeReq:  make(chan struct{}, 1),
		closing:   make(chan struct{}),
	}
	if !o.Compat {
		m.local = Hello{Version: ProtocolVersion, Codec: codec.Name(), AppID: o.AppID, PeerID: o.PeerID}
		if len(o.Secret) != 0 {
			m.local.Version = SecureProtocolVersion
		}
		for m.local.PeerID == 0 {
			m.local.PeerID = rand.Uint64()
		}
		remote, err := exchangeHello(ctx, conn, m.local)
		if err != nil {
			m.log.Debug("messenger: hello failed", "remote", conn.RemoteAddr(), "err", err)
			return nil, err
		}
		m.remote = remote
		m.log.Debug("messenger: hello done", "remote", conn.RemoteAddr(), "peer_id", remote.PeerID, "codec", remote.Codec)
	}
	m.raw = newRawConn(conn)
	if len(o.Secret) != 0 {
		cfg, err := handshakeConfig(&o, m.local, m.remote)
		if err != nil {
			return nil, err
		}
		keys, err := runHandshake(ctx, conn, cfg)
		if err != nil {
			m.log.Debug("messenger: secure handshake failed", "remote", conn.RemoteAddr(), "err", err)
			return nil, err
		}
		m.sealer, m.sas = keys.Sealer(), keys.SAS()
		if m.raw != nil {
			m.rr = newRecordReader(keys.Opener(), m.srcDirect)
		} else {
			m.rr = newRecordReader(keys.Opener(), conn.Read)
		}
		m.log.Debug("messenger: secure handshake done", "remote", conn.RemoteAddr(), "role", cfg.Role)
	}
	m.wg.Add(1)
	m.live.Add(1)
	liveGoroutines.Add(1)
	if m.raw != nil {
		m.armCh = make(chan struct{}, 1)
		m.arm()
		go m.watch()
	} else {
		m.rbuf = make([]byte, min(initialReadBuffer, o.MaxReadBuffer))
		go m.readLoop(m.rbuf)
	}
	m.ctlPre = controlPrefix(codec.Name())
	m.ctl = !o.Compat && m.ctlPre > 0
	m.pinging = m.ctl && o.PingInterval > 0
	m.tickEvery = statsWindow
	if o.PingInterval > 0 {
		m.tickEvery = o.PingInterval
	}
	now := time.Now()
	m.rateAt, m.heardAt = now, now
	m.nextTick = now.Add(m.tickEvery)
	m.ticker = time.AfterFunc(m.tickEvery, m.postTick)
	m.publishStats()
	return m, nil
}

// postTick is the ticker's function: it tells the application goroutine
// that a tick is due (see tick).
func (m *Messenger) postTick() {
	m.events.Or(evTick)
	m.wakeApp()
}

// Conn returns the connection the Messenger runs on. Reading from or writing
// to it directly corrupts the stream.
func (m *Messenger) Conn() net.Conn { return m.conn }

// Secure reports whether the Messenger seals its stream (Options.Secret).
func (m *Messenger) Secure() bool { return m.sealer != nil }

// SAS returns the short authentication string of a secure Messenger's
// session (see secure.Keys.SAS): two words, the same on both sides, that
// users may compare to rule out a man in the middle. "" without a Secret.
func (m *Messenger) SAS() string { return m.sas }

// Remote returns the peer's hello; the zero Hello in compat mode.
func (m *Messenger) Remote() Hello { return m.remote }

// Local returns the hello this side sent; the zero Hello in compat mode.
func (m *Messenger) Local() Hello { return m.local }

// Stats are a Messenger's counters.
type Stats struct {
	MessagesIn    uint64 // messages returned by Get
	MessagesOut   uint64 // messages queued by Send
	BytesIn       uint64 // frame bytes received, control frames included (the hello excluded; with a Secret, the plaintext)
	BytesOut      uint64 // frame bytes written to the connection, control frames included (with a Secret, the sealed records)
	WriteQueue    int    // bytes queued by Send and not yet written
	ReadBuffered  int    // bytes received and not yet decoded by Get
	ReadBufferCap int    // current size of the read buffer

	// SkippedFrames counts the frames Get skipped: frames the codec
	// rejected with a recoverable *message.DecodeError, after which the
	// stream goes on (Xfer does not report them). The three counts after
	// it split it by reason (errors.Is on the decode error); what they
	// leave is other recoverable errors of a codec.
	SkippedFrames uint64
	// SkippedUnknownType: message.ErrUnknownType, a type this side has not
	// registered (such as a newer peer's).
	SkippedUnknownType uint64
	// SkippedBadPayload: message.ErrBadPayload, a payload its type refused.
	SkippedBadPayload uint64
	// SkippedMalformed: message.ErrMalformed, a frame that does not parse
	// (for JSON, a line that is not ["Name",{...}], an empty line included).
	SkippedMalformed uint64
	// LastSkip is the error of the last frame skipped (a
	// *message.DecodeError, which says where and why), nil if none was.
	LastSkip error
	// SkippedOther: SkippedFrames less the three reasons above (other
	// recoverable errors of a codec).
	SkippedOther uint64

	// WriteQueueAge is how long the oldest byte of WriteQueue has waited
	// (since the first Xfer that saw it queued); 0 when the queue is
	// empty.
	WriteQueueAge time.Duration

	// Rates, per second, over the last window (Options.PingInterval, or
	// 1 s when it is negative), measured by Xfer; 0 until the first window
	// has passed. BytesInRate and BytesOutRate count what BytesIn and
	// BytesOut count.
	MessagesInRate, MessagesOutRate float64
	BytesInRate, BytesOutRate       float64

	// Round trip, from the pings of a native-mode Messenger (see "Pings
	// and figures" in the package documentation); all 0 until the first
	// pong, and in Compat mode. It is the application's round trip: it
	// includes the time a ping waits on the peer's side for its Get (not
	// the time from that Get to the Xfer that sends the pong, which the
	// pong tells). SmoothedRTT and RTTVar
	// follow RFC 6298 (gains 1/8 and 1/4); Jitter is RFC 3550's mean
	// difference between successive round trips (gain 1/16).
	SmoothedRTT, RTTVar, MinRTT, LastRTT, Jitter time.Duration
	// ClockOffset is the peer's clock minus this side's, NTP's simple
	// estimate ((t2-t1) + (t3-t4)) / 2 from the last pong: right within
	// half of the round trip's asymmetry.
	ClockOffset time.Duration
	// PingsOut counts the pings sent, PongsIn the pongs received (those
	// that answered the last ping give the figures above), PingsIn the
	// peer's pings (each answered by a pong unless the write queue was
	// full). Control frames count in BytesIn and BytesOut, never in
	// MessagesIn or MessagesOut, and never reach Get.
	PingsOut, PongsIn, PingsIn uint64
}

// Stats returns the counters as of the last Xfer. It is safe to call from
// any goroutine; it takes a lock shared with Xfer, never allocates, and
// never waits for I/O. The game loop itself may use ReadStats instead,
// which takes no lock.
func (m *Messenger) Stats() Stats {
	m.stats.Lock()
	c, f, last := m.stats.c, m.stats.f, m.stats.lastSkip
	m.stats.Unlock()
	var s Stats
	m.fillStats(&s, &c, &f, last)
	return s
}

// publishFigures copies the figures for Stats.
func (m *Messenger) publishFigures() {
	m.stats.Lock()
	m.stats.f = m.fig
	m.stats.Unlock()
}

// ReadStats fills s with the counters as of now, without a lock and
// without allocating: it belongs to the goroutine that calls Xfer (the
// game loop), like Xfer itself. Other goroutines call Stats.
func (m *Messenger) ReadStats(s *Stats) {
	m.counts.writeQueue = len(m.wq) + m.inflight
	m.counts.readBuffered = m.limit - m.r
	m.counts.readBufferCap = len(m.rbuf)
	m.counts.queuedSince = m.oldestQueued()
	m.fillStats(s, &m.counts, &m.fig, m.lastSkip)
}

func (m *Messenger) fillStats(s *Stats, c *counts, f *figures, last error) {
	var age time.Duration
	if !c.queuedSince.IsZero() {
		age = time.Since(c.queuedSince)
	}
	*s = Stats{
		MessagesIn:         c.msgsIn,
		MessagesOut:        c.msgsOut,
		BytesIn:            c.bytesIn,
		BytesOut:           c.bytesOutDirect + m.written.Load(),
		WriteQueue:         c.writeQueue,
		ReadBuffered:       c.readBuffered,
		ReadBufferCap:      c.readBufferCap,
		SkippedFrames:      c.skipped,
		SkippedUnknownType: c.skippedUnknown,
		SkippedBadPayload:  c.skippedPayload,
		SkippedMalformed:   c.skippedMalformed,
		LastSkip:           last,
		SkippedOther:       c.skipped - c.skippedUnknown - c.skippedPayload - c.skippedMalformed,
		WriteQueueAge:      age,
		MessagesInRate:     f.msgsInRate,
		MessagesOutRate:    f.msgsOutRate,
		BytesInRate:        f.bytesInRate,
		BytesOutRate:       f.bytesOutRate,
		SmoothedRTT:        f.srtt,
		RTTVar:             f.rttvar,
		MinRTT:             f.minRTT,
		LastRTT:            f.lastRTT,
		Jitter:             f.jitter,
		ClockOffset:        f.offset,
		PingsOut:           f.pingsOut,
		PongsIn:            f.pongsIn,
		PingsIn:            f.pingsIn,
	}
}

// oldestQueued returns when the oldest byte of the write queue was first
// seen queued, stamping wq's bytes now if they have no stamp yet; zero
// when nothing is queued.
func (m *Messenger) oldestQueued() time.Time {
	if len(m.wq) == 0 {
		m.wqSince = time.Time{}
	} else if m.wqSince.IsZero() {
		m.wqSince = time.Now()
	}
	if m.inflight > 0 && !m.inflightSince.IsZero() {
		return m.inflightSince
	}
	return m.wqSince
}

// publishStats copies the application-side counters for Stats.
func (m *Messenger) publishStats() {
	m.statsDue = false
	m.counts.writeQueue = len(m.wq) + m.inflight
	m.counts.readBuffered = m.limit - m.r
	m.counts.readBufferCap = len(m.rbuf)
	if len(m.wq) != 0 || m.inflight != 0 || !m.counts.queuedSince.IsZero() {
		m.counts.queuedSince = m.oldestQueued()
	}
	if m.counts == m.countsPub && !m.skipNew {
		return
	}
	m.countsPub = m.counts
	m.stats.Lock()
	m.stats.c = m.counts
	if m.skipNew {
		m.stats.lastSkip, m.skipNew = m.lastSkip, false
	}
	m.stats.Unlock()
}

// Close closes the connection at once, dropping what is queued, and returns
// when every goroutine of the Messenger has ended. It may be called from any
// goroutine, more than once; later calls return nil. Messages already
// received stay available to Get.
func (m *Messenger) Close() error {
	first := false
	m.closeOnce.Do(func() {
		first = true
		m.mu.Lock()
		m.closed.Store(true)
		m.mu.Unlock()
		close(m.closing)
		m.ticker.Stop()
		m.closeErr = m.closeConn()
	})
	m.wg.Wait()
	if !first {
		return nil
	}
	return m.closeErr
}

// closeConn closes the connection once (Close, or a fatal decode error).
func (m *Messenger) closeConn() error {
	var err error
	m.connOnce.Do(func() {
		err = m.conn.Close()
	})
	return err
}

// Shutdown writes everything Send has queued, then closes like Close. If
// ctx ends first, or a write fails, it closes at once and returns that
// error (wrapping ctx.Err() or the write error); after an error reported by
// Xfer it only closes. Like Close it returns when every goroutine of the
// Messenger has ended, and nil once the Messenger is closed.
func (m *Messenger) Shutdown(ctx context.Context) error {
	if m.closed.Load() {
		return m.Close()
	}
	var err error
	if m.err == nil {
		m.noPing = true                // nothing after the queue (nor after the goodbye)
		m.byePending = m.sealer != nil // a clean end, told inside the records
		err = m.flush(ctx)
	}
	cerr := m.Close()
	if err != nil {
		return err
	}
	return cerr
}

// Flush writes everything Send has queued, waiting as needed, and returns
// when it is all written to the connection (handed to the kernel), when ctx
// ends (an error wrapping ctx.Err()) or when the connection fails (the
// error Xfer would return). It is the blocking counterpart of Xfer's
// writing, for programs without a game loop and for a sender that got
// ErrQueueFull. It does not read: messages that arrive meanwhile wait for
// the next Xfer or Recv.
func (m *Messenger) Flush(ctx context.Context) error {
	if m.err != nil {
		return m.err
	}
	if m.closed.Load() {
		return ErrClosed
	}
	return m.flush(ctx)
}

// flush hands every queued byte to writeLoop and waits until it is written.
func (m *Messenger) flush(ctx context.Context) error {
	for {
		if m.events.Load() != 0 {
			m.handleEvents()
		}
		if m.err != nil {
			return m.err
		}
		if m.closed.Load() {
			return ErrClosed
		}
		if !m.busy {
			if len(m.wq) == 0 && !m.byePending {
				m.publishStats()
				return nil
			}
			m.write()
			continue
		}
		if err := m.wait(ctx, false); err != nil {
			return fmt.Errorf("messenger: flush: %w", err)
		}
	}
}

// wait blocks until a goroutine of the Messenger reports something (new
// bytes count when reads is set), ctx ends or the Messenger is closed.
func (m *Messenger) wait(ctx context.Context, reads bool) error {
	m.waiting.Store(true)
	defer m.waiting.Store(false)
	if m.prepareWait(reads) {
		return nil
	}
	select {
	case <-m.wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-m.closing:
		return nil
	}
}

// prepareWait makes sure that the goroutines of the Messenger will report
// what the next Xfer has to do (new bytes count when reads is set): it arms
// watch, and the ticker if a hot connection had stopped it. It reports
// true when the next Xfer has something to do already (do not wait).
// waiting, or a Notify channel, must be set before: a report in between
// is then not lost.
func (m *Messenger) prepareWait(reads bool) bool {
	if m.closed.Load() || m.err != nil {
		return true
	}
	if reads && (m.compact || m.readDone) {
		// readLoop waits for the next Xfer to make room, or reading has
		// ended: the next Xfer has something to do.
		return true
	}
	if reads && ((len(m.wq) != 0 && !m.busy) || m.throttled || (m.r < m.limit && !m.stalled) || m.runI < m.runN) {
		// Queued and not yet written (Send after the last Xfer), a skip
		// budget to renew, bytes that Get has not decoded yet, or
		// messages it decoded and has not returned yet.
		return true
	}
	if reads && m.rr != nil && m.raw != nil && m.rr.ready() {
		return true // records received and not yet opened: the next Xfer opens them
	}
	if reads && m.raw != nil && !m.armed && !m.readDone {
		m.arm()
	}
	if m.tickerOff {
		// Hot until now: readDirect checked the ticks itself. While
		// waiting, the ticker must post them (pings, PeerTimeout).
		m.coldTicks(time.Now())
	}
	return m.events.Load() != 0 || (reads && (m.tickDue || (m.raw == nil && m.rw.Load() != m.lastRW)))
}

// wakeApp tells a blocking call (Recv, Flush, Shutdown) and the Notify
// channel that something happened. Called by watch, readLoop, writeLoop
// and the ticker after they publish.
func (m *Messenger) wakeApp() {
	if m.waiting.Load() {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	if n := m.notify.Load(); n != nil {
		select {
		case n.ch <- struct{}{}:
		default:
		}
	}
}

// liveGoroutines counts the goroutines of all Messengers, for tests.
var liveGoroutines atomic.Int64
