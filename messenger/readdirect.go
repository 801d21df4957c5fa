package messenger

import (
	"io"
	"time"
)

// Reading directly, for a *net.TCPConn, a *net.UnixConn or a DirectConn
// (rawConn).
//
// Xfer itself does one non-blocking read(2) into rbuf, which only the
// application goroutine touches. To keep an idle Xfer free of system calls
// it reads on every call only while the connection is "hot" (data arrived
// less than hotWindow ago) and after watch reported the socket readable;
// otherwise on one idle call in coldPollEvery. When a read finds nothing
// and the connection has cooled down, Xfer arms watch, a goroutine that
// waits in the runtime's network poller until the socket is readable (or
// at its end, or failed), posts evReadable and waits to be armed again.
// watch is what wakes Recv and a game loop that sleeps between frames; the
// occasional direct read is what keeps a loop that spins on every P (where
// watch may not get to run for milliseconds) responsive.
//
// rbuf is allocated on the first read, at 8 KiB. Consumed bytes are
// dropped by moving the unread tail to the front when less than a quarter
// of the buffer is free; the buffer doubles, up to MaxReadBuffer, when the
// unread bytes fill more than half of it or when a read filled it, once
// the peer has proved itself (see mayGrow). When it is full at its size,
// Xfer stops reading until Get consumes: the socket buffers fill and the
// peer is slowed down.

// hotWindow is how long after the last data Xfer goes on reading the
// socket on every call. A game loop that calls Xfer once per frame reads
// once after each frame that had data; a busy loop reads for up to
// hotWindow, which saves the wake-up of watch on a ping-pong.
const hotWindow = 100 * time.Microsecond

// coldPollEvery: a cold, idle Xfer reads the socket itself once in this
// many calls (a power of two). With a read costing a few hundred ns, that
// adds 1-2 ns to an idle Xfer (64 added about half of its cost), and a
// loop that spins on every P, calling Xfer every few tens of ns, still
// reads every few microseconds.
const coldPollEvery = 256

// readDirect does one non-blocking read into rbuf.
func (m *Messenger) readDirect() {
	if !m.makeRoom() {
		return
	}
	free := m.rbuf[m.limit:]
	var (
		n   int
		err error
	)
	if m.rr != nil {
		n, err = m.rr.read(free)
		if err != nil && !wouldBlock(err) {
			// The socket's end was reported to the DirectConn by
			// srcDirect; this is the stream's end.
			if n > 0 {
				m.limit += n
				m.counts.bytesIn += uint64(n)
				m.stalled = false
			}
			m.readDone, m.readErr = true, err
			if m.tampered() && m.err == nil {
				m.err = m.readError()
				m.failTampered() // fatal: not even what was decoded before is delivered
			}
			return
		}
	} else {
		n, err = m.raw.read(free)
	}
	if n > 0 {
		m.limit += n
		m.counts.bytesIn += uint64(n)
		m.stalled = false
		m.filled = n == len(free)
		m.lastData = time.Now()
		m.hot = true
		m.hotTicks(m.lastData)
	}
	switch {
	case wouldBlock(err):
		if m.hot {
			if now := time.Now(); now.Sub(m.lastData) > hotWindow {
				m.hot = false
				m.coldTicks(now)
			}
		}
		if !m.hot && !m.armed {
			m.arm()
		}
	case err != nil:
		m.readDone, m.readErr = true, m.raw.failed(err)
	case n == 0:
		m.readDone, m.readErr = true, m.raw.failed(io.EOF)
	}
}

// srcDirect is the recordReader's source in direct mode: one
// non-blocking read, with the end of the socket reported as the DirectConn
// would have it.
func (m *Messenger) srcDirect(p []byte) (int, error) {
	n, err := m.raw.read(p)
	if n == 0 && err == nil {
		err = io.EOF
	}
	if err != nil && !wouldBlock(err) {
		err = m.raw.failed(err)
	}
	return n, err
}

// makeRoom makes free room at the end of rbuf; false when there is none
// (the buffer is full at MaxReadBuffer: back-pressure, or a fatal error if
// it holds only part of one frame).
func (m *Messenger) makeRoom() bool {
	if m.r == m.limit {
		m.r, m.limit = 0, 0
	}
	size, unread := len(m.rbuf), m.limit-m.r
	if size-m.limit >= size/4 && m.limit < size && !m.filled {
		return true
	}
	newSize := size
	switch {
	case size == 0:
		newSize = min(initialReadBuffer, m.opts.MaxReadBuffer)
	case m.mayGrow(unread, m.filled):
		newSize = min(2*size, m.opts.MaxReadBuffer)
	}
	if newSize != size {
		nb := make([]byte, newSize)
		copy(nb, m.rbuf[m.r:m.limit])
		m.rbuf = nb
	} else if m.r > 0 {
		copy(m.rbuf, m.rbuf[m.r:m.limit])
	}
	m.r, m.limit, m.filled = 0, unread, false
	if m.limit == len(m.rbuf) {
		if m.stalled {
			m.failTooLarge()
		}
		return false
	}
	return true
}

// mayGrow reports whether the read buffer, with unread bytes not yet
// decoded, should double (filled: the last read filled it). It grows for
// one frame larger than the whole buffer from any peer (up to
// MaxReadBuffer, past which the frame is a fatal error); for a lagging
// application or bulk reads, only once the peer has proved itself, that
// is, once Get has returned a message from it (after the hello, which New
// has checked): a peer that sends only frames to skip, or no whole frame,
// keeps the initial 8 KiB.
func (m *Messenger) mayGrow(unread int, filled bool) bool {
	size := len(m.rbuf)
	if size >= m.opts.MaxReadBuffer {
		return false
	}
	if unread == size && m.stalled {
		return true // one frame fills the buffer
	}
	return m.counts.msgsIn != 0 && (filled || unread > size/2)
}

// arm has watch wait for readability.
func (m *Messenger) arm() {
	m.armed = true
	m.armCh <- struct{}{} // never blocks: watch has taken the last token, cap 1
}

// watch waits for the socket to become readable each time Xfer arms it.
func (m *Messenger) watch() {
	defer m.goroutineDone()
	for {
		select {
		case <-m.armCh:
		case <-m.closing:
			return
		}
		err := m.raw.waitReadable()
		m.events.Or(evReadable)
		m.wakeApp()
		if err != nil {
			return // closed: Xfer's next read reports it
		}
	}
}
