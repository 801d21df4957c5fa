package messenger

import (
	"errors"

	"github.com/cablecar-go/cablecar/secure"
)

// Reading through a goroutine, for conns without a file descriptor
// (net.Pipe, TLS, wrappers).
//
// readLoop (one goroutine, blocked in conn.Read when there is nothing to
// read) appends to rbuf at its write offset w and publishes epoch<<32|w in
// rw after each read. The application goroutine decodes rbuf[r:limit] in
// place, where limit is the w it loaded in its last Xfer, and publishes
// epoch<<32|r in pub. The two never touch the same bytes: readLoop writes
// only at and after w, the application reads only before it.
//
// Room is made in two ways. When the application has consumed everything
// (pub equals epoch<<32|w) and less than a quarter of the buffer is left,
// readLoop starts over at offset 0 and bumps the epoch; the application
// sees the new epoch in rw and starts over too. When the buffer is full
// and not consumed, readLoop posts evFull and parks; the next Xfer moves
// the unread bytes to the front (doubling the buffer, up to MaxReadBuffer,
// when they fill more than half of it and mayGrow allows), bumps the epoch and resumes
// readLoop. If the buffer is at MaxReadBuffer and full, readLoop stays
// parked until Get makes room: that is the back-pressure on the peer.

// readLoop is the one goroutine that reads the connection.
func (m *Messenger) readLoop(buf []byte) {
	defer m.goroutineDone()
	var epoch uint32
	w := 0
	for {
		if free := len(buf) - w; free < len(buf)/4 {
			if m.pub.Load() == uint64(epoch)<<32|uint64(w) {
				// Everything was consumed: start over at the front.
				epoch++
				w = 0
				m.rw.Store(uint64(epoch) << 32)
			} else if free == 0 {
				m.events.Or(evFull)
				m.wakeApp()
				select {
				case <-m.resume:
				case <-m.closing:
					return
				}
				buf = m.rbuf
				x := m.rw.Load()
				epoch, w = uint32(x>>32), int(uint32(x))
				continue
			}
		}
		var (
			n   int
			err error
		)
		if m.rr != nil {
			n, err = m.readSealed(buf[w:])
		} else {
			n, err = m.conn.Read(buf[w:])
		}
		if n > 0 {
			w += n
			m.rw.Store(uint64(epoch)<<32 | uint64(w))
		}
		if err != nil {
			m.readErr = err
			m.events.Or(evReadErr)
			if m.rr != nil && errors.Is(err, secure.ErrTampered) {
				// Fatal: stop the connection now (the peer may be
				// blocked writing to a conn nobody reads any more).
				// handleEvents reports the tampering, not the write
				// error this may cause.
				_ = m.closeConn()
			}
			m.wakeApp()
			return
		}
		m.wakeApp()
	}
}

// absorb takes in what readLoop published in rw (value x).
func (m *Messenger) absorb(x uint64) {
	m.lastRW = x
	e, w := uint32(x>>32), int(uint32(x))
	if e != m.epoch {
		// readLoop started over at the front, which it does only once
		// r == limit == its old w.
		m.epoch = e
		m.r, m.limit = 0, 0
	}
	if w != m.limit {
		m.counts.bytesIn += uint64(w - m.limit)
		m.limit = w
		m.stalled = false
	}
}

// compactRead makes room for readLoop, which is parked after evFull, and
// resumes it; or leaves it parked while the buffer is full and at its
// limit (back-pressure).
func (m *Messenger) compactRead() {
	unread := m.limit - m.r
	size := len(m.rbuf)
	if m.mayGrow(unread, false) {
		size = min(2*size, m.opts.MaxReadBuffer)
	}
	if size == len(m.rbuf) && m.r == 0 {
		// Full, at the limit, nothing consumed.
		if m.stalled {
			m.failTooLarge()
		}
		return // wait until Get consumes something
	}
	if size != len(m.rbuf) {
		nb := make([]byte, size)
		copy(nb, m.rbuf[m.r:m.limit])
		m.rbuf = nb
	} else {
		copy(m.rbuf, m.rbuf[m.r:m.limit])
	}
	m.epoch++
	m.r, m.limit = 0, unread
	m.lastRW = uint64(m.epoch)<<32 | uint64(unread)
	m.rw.Store(m.lastRW)
	m.pubR = uint64(m.epoch) << 32
	m.pub.Store(m.pubR)
	m.compact = false
	m.resume <- struct{}{} // never blocks: readLoop waits, cap 1
}

// readSealed is readLoop's read in secure mode: plaintext from the
// recordReader, reading the connection (blocking) until a record is whole.
func (m *Messenger) readSealed(p []byte) (int, error) {
	for {
		n, err := m.rr.read(p)
		if n > 0 || !wouldBlock(err) {
			return n, err
		}
	}
}
