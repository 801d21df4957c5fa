package messenger

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Ping and pong: the control frames of a native-mode Messenger.
//
// A control frame sits between two codec frames of the stream (Send and
// the pong writer append whole frames to the write queue, so frame
// boundaries are kept), and Get handles it before the codec sees it:
//
//	offset  size  field
//	0       p     prefix: p zero bytes, 1 for the byte and JSON codecs, 4 for msgpack
//	p       1     kind: 1 ping, 2 pong; 0 is never a control frame, others are skipped
//	p+1     1     body length L
//	p+2     L     body
//
// No frame of these codecs starts with the prefix and a kind other than 0:
// a byte frame's first byte is its length (2 or more), a JSON frame is a
// line that starts with '[', a msgpack frame starts with its 4-byte length
// (6 or more). Bytes that are not a control frame go to the codec, which
// reports its error as before (a stream of zero bytes still fails as a
// byte frame of length 0). So control frames are on only for the codecs
// named "byte", "json" and "msgpack", never in Compat mode; with a Secret
// they travel inside the sealed records like every other byte.
//
// A ping's body is t1, the sender's wall clock (Unix ns, 8 bytes); the
// pong's is t1 echoed, t2 (the answerer's clock when Get took the ping)
// and t3 (its clock when Xfer wrote the pong, or handed it to the writer
// goroutine), 24 bytes. From the pong that
// answers its last ping, arriving at t4, the pinger takes the round trip
// (t4-t1) - (t3-t2), measured on the monotonic clock, and the peer's
// clock offset ((t2-t1) + (t3-t4)) / 2 (NTP's simple estimate).
const (
	ctlPing     = 1
	ctlPong     = 2
	ctlPingBody = 8
	ctlPongBody = 24
	ctlMaxFrame = 4 + 2 + 255
)

// Defaults of the ping Options.
const (
	// DefaultPingInterval is the PingInterval used when the field is 0.
	DefaultPingInterval = time.Second
	// statsWindow is the window of the rates when PingInterval is negative.
	statsWindow = time.Second
)

// controlPrefix returns the length of the control frames' prefix for a
// codec, 0 when its frames leave no room for control frames (see above).
func controlPrefix(name string) int {
	switch name {
	case "byte", "json":
		return 1
	case "msgpack":
		return 4
	}
	return 0
}

// control handles the control frame at the start of b, when there is one:
// it returns the frame's length, 0 when b holds only part of what may be
// one, or -1 when b does not start with a control frame (the codec
// decodes it).
func (m *Messenger) control(b []byte) int {
	p := m.ctlPre
	for i := range min(len(b), p) {
		if b[i] != 0 {
			return -1
		}
	}
	if len(b) > p && b[p] == 0 {
		return -1 // kind 0: not a control frame
	}
	if len(b) < p+2 {
		return 0
	}
	n := p + 2 + int(b[p+1])
	if len(b) < n {
		return 0
	}
	body := b[p+2 : n]
	switch {
	case b[p] == ctlPing && len(body) >= ctlPingBody:
		m.fig.pingsIn++
		m.answerPing(binary.BigEndian.Uint64(body))
		m.publishFigures()
	case b[p] == ctlPong && len(body) >= ctlPongBody:
		m.fig.pongsIn++
		m.takePong(int64(binary.BigEndian.Uint64(body)), int64(binary.BigEndian.Uint64(body[8:])), int64(binary.BigEndian.Uint64(body[16:])))
		m.publishFigures() // the next Xfer may be idle: Stats shows the figures now
	}
	// Control frames spend the skip budget: a peer that floods pings gets
	// at most the budget of pongs per Xfer.
	m.skipsNow++
	m.skipBytes += n
	if m.skipsNow >= skipBudgetFrames || m.skipBytes >= skipBudgetBytes {
		m.throttled = true
	}
	return n
}

// answerPing queues the pong to a ping sent at t1, if it fits in the write
// queue (a full queue drops it: the peer's next ping will do).
func (m *Messenger) answerPing(t1 uint64) {
	if len(m.wq)+m.inflight+m.ctlPre+2+ctlPongBody > m.opts.MaxWriteQueue || m.noPing {
		return
	}
	now := uint64(time.Now().UnixNano())
	m.wq = m.appendCtlHeader(m.wq, ctlPong, ctlPongBody)
	m.wq = binary.BigEndian.AppendUint64(m.wq, t1)
	m.wq = binary.BigEndian.AppendUint64(m.wq, now)
	m.wq = binary.BigEndian.AppendUint64(m.wq, now) // t3, stamped again by write (stampPong)
	m.pongT3 = len(m.wq) - 8 + 1
}

// stampPong sets t3 of the last pong queued to now, as write hands the
// queue to the connection: the time the pong waited for this Xfer is then
// taken out of the pinger's round trip and does not bias its offset.
func (m *Messenger) stampPong() {
	binary.BigEndian.PutUint64(m.wq[m.pongT3-1:], uint64(time.Now().UnixNano()))
	m.pongT3 = 0
}

// sendPing queues a ping.
func (m *Messenger) sendPing(now time.Time) {
	if len(m.wq)+m.inflight+m.ctlPre+2+ctlPingBody > m.opts.MaxWriteQueue || m.noPing {
		return
	}
	t1 := now.UnixNano()
	m.pingT1, m.pingAt = t1, now
	m.wq = m.appendCtlHeader(m.wq, ctlPing, ctlPingBody)
	m.wq = binary.BigEndian.AppendUint64(m.wq, uint64(t1))
	m.fig.pingsOut++
}

// appendCtlHeader appends a control frame's prefix, kind and body length.
func (m *Messenger) appendCtlHeader(dst []byte, kind, n byte) []byte {
	for range m.ctlPre {
		dst = append(dst, 0)
	}
	return append(dst, kind, n)
}

// takePong takes the peer's answer to a ping sent at t1.
func (m *Messenger) takePong(t1, t2, t3 int64) {
	if t1 != m.pingT1 || m.pingAt.IsZero() {
		return // not the answer to the last ping: late, repeated or forged
	}
	now := time.Now()
	sent := m.pingAt
	m.pingAt = time.Time{}
	rtt := now.Sub(sent) - max(time.Duration(t3-t2), 0)
	rtt = max(rtt, time.Nanosecond) // a round trip is never free; keeps "last > 0" true
	c := &m.fig
	if c.pongsUsed == 0 {
		c.srtt, c.rttvar, c.minRTT, c.jitter = rtt, rtt/2, rtt, 0
	} else {
		d := c.srtt - rtt
		c.rttvar += (abs(d) - c.rttvar) / 4 // RFC 6298
		c.srtt += (rtt - c.srtt) / 8
		c.minRTT = min(c.minRTT, rtt)
		c.jitter += (abs(rtt-c.lastRTT) - c.jitter) / 16 // RFC 3550
	}
	c.lastRTT = rtt
	c.pongsUsed++
	c.offset = time.Duration(((t2 - t1) + (t3 - now.UnixNano())) / 2)
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// tick runs once per PingInterval (or statsWindow), on evTick: it updates
// the rates, checks that the peer is alive, and sends the next ping.
func (m *Messenger) tick(readable bool) {
	m.tickDue = false
	m.ticks++
	now := time.Now()
	c, f := &m.counts, &m.fig
	out := c.bytesOutDirect + m.written.Load()
	if el := now.Sub(m.rateAt).Seconds(); el > 0 {
		b := &m.rateBase
		f.msgsInRate = float64(c.msgsIn-b.msgsIn) / el
		f.msgsOutRate = float64(c.msgsOut-b.msgsOut) / el
		f.bytesInRate = float64(c.bytesIn-b.bytesIn) / el
		f.bytesOutRate = float64(out-m.rateOut) / el
		m.rateAt, m.rateBase, m.rateOut = now, *c, out
	}
	if m.pinging && !m.closed.Load() && m.err == nil {
		// Heard: new bytes, or bytes waiting that this side has not read
		// yet (the application lags; that is not the peer's silence).
		// A tick more than a whole interval late means that the
		// application did not call Xfer for that long (a loading screen,
		// a debugger): the gap is not counted against the peer.
		stalled := now.Sub(m.nextTick) > m.tickEvery
		heard := stalled || c.bytesIn != m.heardBytes || readable ||
			(m.r < m.limit && !m.stalled) || m.compact ||
			(m.raw == nil && m.rw.Load() != m.lastRW) ||
			(m.rr != nil && m.raw != nil && m.rr.ready())
		if heard {
			m.heardBytes, m.heardAt = c.bytesIn, now
		} else if m.opts.PeerTimeout > 0 && now.Sub(m.heardAt) >= m.opts.PeerTimeout {
			m.fail(fmt.Errorf("%w: nothing received for %v (PeerTimeout %v)", ErrPeerTimeout,
				now.Sub(m.heardAt).Round(time.Millisecond), m.opts.PeerTimeout))
			return
		}
		m.sendPing(now)
	}
	m.publishFigures()
	m.nextTick = now.Add(m.tickEvery)
	if !m.tickerOff {
		m.startTicker(m.tickEvery)
	}
}

// startTicker (re)arms the ticker to fire in d, unless the Messenger is
// closed.
func (m *Messenger) startTicker(d time.Duration) {
	m.mu.Lock() // against Close, which stops the ticker after setting closed
	if !m.closed.Load() {
		m.ticker.Reset(d)
	}
	m.mu.Unlock()
}

// The ticker while data flows. A pending runtime timer makes the idle
// threads of the process wait in epoll_wait rather than sleep, and each
// readiness event of the sockets then wakes one (the cost measured by
// BenchmarkRoundTripByteNetpollWaiter: about 15% of a loopback round
// trip). So in direct mode, while the connection is hot (data arrived
// less than hotWindow ago) the ticker is stopped and readDirect, which
// reads the clock then anyway, checks nextTick itself (hotTicks); when the
// connection cools down the ticker is armed again (coldTicks).

// hotTicks stops the ticker as the connection turns hot at now.
func (m *Messenger) hotTicks(now time.Time) {
	if !m.tickerOff {
		m.tickerOff = true
		m.ticker.Stop()
	}
	if !now.Before(m.nextTick) {
		m.tickDue = true
	}
}

// coldTicks arms the ticker again as the connection cools down.
func (m *Messenger) coldTicks(now time.Time) {
	if m.tickerOff {
		m.tickerOff = false
		m.startTicker(max(m.nextTick.Sub(now), 0))
	}
}
