package relay

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Conn is one stream to a peer: a net.Conn whose bytes travel as frames
// on the peer's subject. Write blocks while Config.Window bytes are
// unread by the peer; Read returns the bytes in order, each once. Close
// sends the end of the stream after what was written (resent until the
// peer acknowledges it, bounded by the peer timeout) and returns at once.
// Deadlines work as on a net.Conn. It is safe for one reader and one
// writer at a time, and Close from any goroutine.
type Conn struct {
	r      *Relay
	peer   uint64
	stream uint64
	name   string
	subj   string
	local  relayAddr
	remote relayAddr

	wmu sync.Mutex // one Write at a time: frames go out in seq order

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when state changes, if waited on
	waiting bool

	// Receiving.
	rbuf      []byte
	rhead     int
	rseq      uint64 // next frame expected
	readBytes uint64 // bytes Read returned
	ackRecv   uint64 // rseq in the last ack sent
	ackRead   uint64 // readBytes in the last ack sent
	eof       bool   // the peer's fin came in order
	rdl       time.Time

	// Sending.
	sseq      uint64 // next frame to send
	unacked   []pending
	sentBytes uint64 // stream bytes sent
	peerRead  uint64 // stream bytes the peer read
	progress  time.Time
	resentAt  time.Time
	wdl       time.Time

	err      error // the stream failed: Read and Write return it
	closed   bool  // Close was called
	closedAt time.Time
	finAcked bool
	byeAt    time.Time // the peer said goodbye then
}

// pending is a frame sent and not acknowledged.
type pending struct {
	seq uint64
	msg []byte
}

type relayAddr string

func (a relayAddr) Network() string { return "nats" }
func (a relayAddr) String() string  { return string(a) }

func newConn(r *Relay, peer, stream uint64, name string) *Conn {
	return &Conn{
		r:        r,
		peer:     peer,
		stream:   stream,
		name:     name,
		subj:     r.subj.peer(peer),
		local:    relayAddr(r.subj.peer(r.self)),
		remote:   relayAddr(r.subj.peer(peer)),
		changed:  make(chan struct{}),
		progress: time.Now(),
		rseq:     1, // seq 0 is the opener's open frame
	}
}

// signalLocked wakes the waiters.
func (c *Conn) signalLocked() {
	if c.waiting {
		close(c.changed)
		c.changed = make(chan struct{})
		c.waiting = false
	}
}

// waitLocked waits for a change or the deadline; it returns false when
// the deadline passed. c.mu is held on entry and return.
func (c *Conn) waitLocked(dl time.Time) bool {
	if !dl.IsZero() && !time.Now().Before(dl) {
		return false
	}
	c.waiting = true
	ch := c.changed
	c.mu.Unlock()
	var timer <-chan time.Time
	if !dl.IsZero() {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ch:
	case <-timer:
	}
	c.mu.Lock()
	return true
}

// Read reads stream bytes.
func (c *Conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if n := len(c.rbuf) - c.rhead; n > 0 && len(p) > 0 {
			n = copy(p, c.rbuf[c.rhead:])
			c.rhead += n
			if c.rhead == len(c.rbuf) {
				c.rbuf, c.rhead = c.rbuf[:0], 0
			}
			c.readBytes += uint64(n)
			if c.readBytes-c.ackRead >= uint64(c.r.cfg.Window/4) {
				c.ackLocked(false)
			}
			return n, nil
		}
		switch {
		case c.closed:
			return 0, ErrClosed
		case c.eof:
			return 0, io.EOF
		case c.err != nil:
			return 0, c.err
		case len(p) == 0:
			return 0, nil
		}
		if !c.waitLocked(c.rdl) {
			return 0, os.ErrDeadlineExceeded
		}
	}
}

// Write sends stream bytes, in frames of at most the server's max payload.
func (c *Conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	window := uint64(c.r.cfg.Window)
	n := 0
	for n < len(p) {
		switch {
		case c.closed:
			return n, ErrClosed
		case c.err != nil:
			return n, c.err
		}
		inflight := c.sentBytes - c.peerRead
		if inflight >= window {
			if !c.waitLocked(c.wdl) {
				return n, os.ErrDeadlineExceeded
			}
			continue
		}
		k := min(len(p)-n, c.r.chunk, int(window-inflight))
		c.sseq++
		msg := make([]byte, 0, frameHeader+k)
		msg = appendFrameHeader(msg, kindData, c.r.self, c.stream, c.sseq)
		msg = append(msg, p[n:n+k]...)
		c.sendLocked(pending{seq: c.sseq, msg: msg})
		c.sentBytes += uint64(k)
		n += k
	}
	return n, nil
}

// sendLocked publishes a frame and keeps it until acknowledged.
func (c *Conn) sendLocked(f pending) {
	if len(c.unacked) == 0 {
		c.progress = time.Now()
	}
	c.unacked = append(c.unacked, f)
	_ = c.r.publish(c.subj, f.msg) // a failure is a loss: resent
}

// sendOpen sends the first frame of a stream this side opened.
func (c *Conn) sendOpen() {
	c.mu.Lock()
	defer c.mu.Unlock()
	name := c.r.info.Name
	if len(name) > maxName {
		name = name[:maxName]
	}
	c.sendLocked(pending{seq: 0, msg: append(appendFrameHeader(nil, kindOpen, c.r.self, c.stream, 0), name...)})
	c.sseq = 0
}

// Close ends the stream: the peer reads what was written, then io.EOF.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	c.closedAt = time.Now()
	c.signalLocked()
	if c.err != nil {
		c.r.forget(c)
		return nil
	}
	c.sseq++
	c.sendLocked(pending{seq: c.sseq, msg: appendFrameHeader(nil, kindFin, c.r.self, c.stream, c.sseq)})
	return nil
}

// fail ends the stream with err (the peer left, the relay closed).
func (c *Conn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	c.unacked = nil
	c.signalLocked()
}

// bye gives the stream, whose peer said goodbye, the time to read what
// the peer sent before (the goodbye and the stream frames travel on
// different subjects): it ends with the peer's end of stream, or an error
// wrapping ErrPeerGone after Config.Retransmit.
func (c *Conn) bye(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byeAt.IsZero() {
		c.byeAt = now
	}
}

// onFrame handles a frame of this stream.
func (c *Conn) onFrame(f *frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	if f.kind == kindAck {
		c.onAckLocked(f)
		return
	}
	switch {
	case f.seq < c.rseq:
		c.r.stats.duplicates.Add(1)
		c.ackLocked(false) // our ack may be lost
		return
	case f.seq > c.rseq:
		c.r.stats.outOfOrder.Add(1)
		c.ackLocked(true)
		return
	}
	switch f.kind {
	case kindData:
		if len(c.rbuf)-c.rhead+len(f.data) > c.r.cfg.Window+c.r.chunk {
			return // past the window: a broken sender; it resends later
		}
		if c.rhead > 0 && len(c.rbuf)+len(f.data) > cap(c.rbuf) {
			c.rbuf = c.rbuf[:copy(c.rbuf, c.rbuf[c.rhead:])]
			c.rhead = 0
		}
		c.rbuf = append(c.rbuf, f.data...)
	case kindFin:
		c.eof = true
	case kindOpen: // a second open with seq 0 == rseq cannot happen: rseq starts at 1
		return
	}
	c.rseq++
	c.signalLocked()
	if c.eof || c.rseq-c.ackRecv >= 64 {
		c.ackLocked(false)
	}
}

// onAckLocked frees what the peer received.
func (c *Conn) onAckLocked(f *frame) {
	next := f.seq
	i := 0
	for i < len(c.unacked) && c.unacked[i].seq < next {
		i++
	}
	if i > 0 {
		clear(c.unacked[:i])
		c.unacked = c.unacked[i:]
		c.progress = time.Now()
	}
	if c.closed && len(c.unacked) == 0 {
		c.finAcked = true
	}
	if f.read > c.peerRead && f.read <= c.sentBytes {
		c.peerRead = f.read
		c.signalLocked()
	}
	if f.nack && len(c.unacked) > 0 {
		c.resendLocked(time.Now(), false)
	}
	if c.finAcked {
		c.r.forget(c)
	}
}

// ackLocked sends an ack now.
func (c *Conn) ackLocked(nack bool) {
	c.ackRecv, c.ackRead = c.rseq, c.readBytes
	b := appendAck(make([]byte, 0, ackLen), c.r.self, c.stream, c.rseq, c.readBytes, nack)
	_ = c.r.publish(c.subj, b)
}

func (c *Conn) ackNow(nack bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ackLocked(nack)
}

// resend sends the unacknowledged frames again: on a timer, after a
// reconnect (force) or a gap the peer reported.
func (c *Conn) resend(now time.Time, force bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if force || now.Sub(c.progress) >= c.r.cfg.Retransmit {
		c.resendLocked(now, force)
	}
}

func (c *Conn) resendLocked(now time.Time, force bool) {
	if c.err != nil || len(c.unacked) == 0 {
		return
	}
	if !force && now.Sub(c.resentAt) < c.r.cfg.Retransmit/4 {
		return // one resend per gap, not one per frame after it
	}
	c.resentAt, c.progress = now, now
	for _, f := range c.unacked {
		_ = c.r.publish(c.subj, f.msg)
	}
	c.r.stats.retransmits.Add(uint64(len(c.unacked)))
}

// probeLocked asks for a fresh ack when the window is full and every
// frame is acknowledged: the ack that reported the peer's reads (the
// window update) may have been lost, and the peer sends no other while it
// gets nothing. The probe repeats the last frame's number with no data,
// which the peer takes as a duplicate and answers with an ack.
func (c *Conn) probeLocked(now time.Time) {
	if c.err != nil || len(c.unacked) > 0 || c.sseq == 0 || c.sentBytes-c.peerRead < uint64(c.r.cfg.Window) {
		return
	}
	c.progress = now
	_ = c.r.publish(c.subj, appendFrameHeader(make([]byte, 0, frameHeader), kindData, c.r.self, c.stream, c.sseq))
	c.r.stats.retransmits.Add(1)
}

// tick runs on the relay's loop: delayed acks, resends, the end of a
// closed stream.
func (c *Conn) tick(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && (c.rseq != c.ackRecv || c.readBytes != c.ackRead) {
		c.ackLocked(false)
	}
	if now.Sub(c.progress) >= c.r.cfg.Retransmit {
		c.resendLocked(now, false)
		c.probeLocked(now)
	}
	if !c.byeAt.IsZero() && c.err == nil && now.Sub(c.byeAt) >= c.r.cfg.Retransmit {
		c.err = &goneError{cause: "it said goodbye"}
		c.unacked = nil
		c.signalLocked()
		c.r.forget(c)
	}
	if c.closed && (c.finAcked || c.err != nil || now.Sub(c.closedAt) > c.r.info.PeerTimeout) {
		c.unacked = nil
		c.r.forget(c)
	}
}

// LocalAddr is this side's peer subject.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr is the peer's subject.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// Peer returns the peer id at the other end.
func (c *Conn) Peer() uint64 { return c.peer }

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rdl, c.wdl = t, t
	c.signalLocked()
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rdl = t
	c.signalLocked()
	return nil
}

// SetWriteDeadline sets the write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wdl = t
	c.signalLocked()
	return nil
}

var _ net.Conn = (*Conn)(nil)
