package messenger

import (
	"io"
	"time"
)

// Reading directly, for a *net.TCPConn or *net.UnixConn (rawConn).
//
// Xfer itself does one non-blocking read(2) into rbuf, which only the
// application goroutine touches. To keep an idle Xfer free of system calls
// it reads only while the connection is "hot" (data arrived less than
// hotWindow ago) or after watch has seen the socket readable. Once a read
// finds nothing and the connection has cooled down, Xfer arms watch, a
// goroutine that waits in the runtime's network poller until the socket is
// readable (or at its end, or failed), posts evReadable and waits to be
// armed again. While armed, Xfer does not read: watch and Xfer never use
// the socket's read side at the same time.
//
// rbuf is allocated on the first read, at 8 KiB. Consumed bytes are
// dropped by moving the unread tail to the front when less than a quarter
// of the buffer is free; the buffer doubles, up to MaxReadBuffer, when the
// unread bytes fill more than half of it or when a read filled it. When it
// is full at MaxReadBuffer, Xfer stops reading until Get consumes: the
// socket buffers fill and the peer is slowed down.

// hotWindow is how long after the last data Xfer goes on polling the
// socket itself. A game loop that calls Xfer once per frame polls once
// after each frame that had data; a busy loop polls for up to hotWindow,
// which saves the wake-up of the watcher on a ping-pong.
const hotWindow = 100 * time.Microsecond

// readDirect does one non-blocking read into rbuf.
func (m *Messenger) readDirect() {
	if !m.makeRoom() {
		return
	}
	free := m.rbuf[m.limit:]
	n, err := m.raw.read(free)
	if n > 0 {
		m.limit += n
		m.counts.bytesIn += uint64(n)
		m.stalled = false
		m.filled = n == len(free)
		m.lastData = time.Now()
	}
	switch {
	case wouldBlock(err):
		if time.Since(m.lastData) > hotWindow {
			m.arm()
		}
	case err != nil:
		m.readDone, m.readErr = true, err
	case n == 0:
		m.readDone, m.readErr = true, io.EOF
	}
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
	case (m.filled || unread > size/2) && size < m.opts.MaxReadBuffer:
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

// arm hands the wait for readability to watch.
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
