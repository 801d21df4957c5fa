package messenger

import (
	"context"
	"errors"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/secure"
)

// Xfer moves what can move right now, both ways, and returns at once: it
// never blocks, whatever the peer does. It writes what Send queued (as much
// as the socket takes; the rest goes out in the background) and makes the
// bytes received since the last Xfer available to Get. Call it once per
// frame of a game loop, then Get until nil.
//
// Xfer returns only final errors, so a game loop may stop on any error:
//
//	if err := m.Xfer(); err != nil {
//		break // the connection is over: err says why
//	}
//
// Frames that Get skipped (recoverable decode errors, such as a type a
// newer peer sends that this side does not know) are not errors: they are
// counted in Stats (SkippedFrames, by reason, and LastSkip). Xfer also
// renews the skip budget of Get (see Get). The errors:
//   - ErrPeerClosed (errors.Is io.EOF): the peer closed the connection
//     cleanly. It is reported once Get has returned every message that
//     arrived before.
//   - ErrClosed: Close or Shutdown was called.
//   - With Options.Secret: an error wrapping secure.ErrTampered when a
//     record failed to open (the connection is closed at once and nothing
//     more is delivered), and ErrCut when the stream ended without the
//     peer's sealed goodbye (it called Close rather than Shutdown, crashed,
//     or the connection was cut); a clean end after the goodbye is
//     ErrPeerClosed.
//   - anything else: the connection is lost (a reset, a read or write
//     error, a fatal decode error); the Messenger has closed it.
//
// The error is final: every later Xfer and Send returns it. Call Close to
// release the Messenger (messages received before the end stay available
// to Get).
func (m *Messenger) Xfer() error {
	if m.skipsNow != 0 {
		m.skipsNow, m.skipBytes, m.throttled = 0, 0, false
	}
	read := m.readDue()
	if !read && m.err == nil && m.events.Load() == 0 && len(m.wq) == 0 &&
		!m.readDone && !m.statsDue && !m.closed.Load() {
		return nil // nothing to do
	}
	return m.xfer(read)
}

// readDue reports whether this Xfer should read (direct mode) or may have
// received bytes (readLoop mode), as far as can be known without a system
// call.
func (m *Messenger) readDue() bool {
	if m.raw != nil {
		if m.hot || !m.armed || (m.rr != nil && m.rr.ready()) {
			return true
		}
		m.idleCalls++
		return m.idleCalls%coldPollEvery == 0
	}
	return m.rw.Load() != m.lastRW || m.compact || m.pubR != uint64(m.epoch)<<32|uint64(m.r)
}

func (m *Messenger) xfer(read bool) error {
	if m.err != nil {
		return m.err
	}
	if m.closed.Load() {
		m.err = ErrClosed
		return m.err
	}
	if m.events.Load() != 0 {
		m.handleEvents()
	}
	if m.raw != nil {
		if (read || !m.armed) && !m.readDone && m.err == nil {
			m.readDirect()
		}
	} else {
		if x := m.rw.Load(); x != m.lastRW && !m.failed {
			m.absorb(x)
		}
		if m.compact && m.err == nil {
			m.compactRead()
		}
		if p := uint64(m.epoch)<<32 | uint64(m.r); p != m.pubR {
			m.pubR = p
			m.pub.Store(p)
		}
	}
	if m.tickDue && m.err == nil {
		m.tick(false)
	}
	if len(m.wq) != 0 && !m.busy && m.err == nil {
		m.write()
	}
	m.publishStats()
	if m.err == nil && m.readDone && ((m.runI >= m.runN && (m.r >= m.limit || m.stalled)) || m.tampered()) {
		m.err = m.readError()
		m.log.Debug("messenger: connection ended", "remote", m.conn.RemoteAddr(), "err", m.err)
		if m.tampered() {
			m.failTampered() // nothing more from this stream, not even what was decoded
		}
	}
	return m.err
}

// handleEvents takes the events posted by readLoop and writeLoop.
func (m *Messenger) handleEvents() {
	ev := m.events.Swap(0)
	if ev&evFull != 0 {
		m.compact = true
	}
	if ev&evReadable != 0 {
		m.armed = false
	}
	if ev&evReadErr != 0 {
		m.readDone = true
		if m.err == nil && m.tampered() {
			m.err = m.readError()
			m.failTampered()
		}
	}
	if ev&evWriteDone != 0 {
		m.writeDone()
	}
	if ev&evWriteErr != 0 && m.err == nil {
		m.writeFailed(m.writeError(m.werr), m.flightApp)
	}
	if ev&evTick != 0 {
		m.tick(ev&evReadable != 0)
	}
}

// Recv returns the next message, calling Xfer and waiting as needed, for
// programs without a game loop. It returns ctx.Err() when ctx ends first,
// and otherwise the errors of Xfer, which are final. Skipped frames are
// counted in Stats, as with Get. Like Xfer, it also writes what Send
// queued.
func (m *Messenger) Recv(ctx context.Context) (message.Message, error) {
	for {
		if msg := m.Get(); msg != nil {
			return msg, nil
		}
		if err := m.Xfer(); err != nil {
			return nil, err
		}
		if msg := m.Get(); msg != nil {
			return msg, nil
		}
		if m.throttled { // the skip budget is spent, not the bytes
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			continue
		}
		if err := m.wait(ctx, true); err != nil {
			return nil, err
		}
	}
}

// tampered reports whether reading ended on a record that failed to open
// (only once readDone is set).
func (m *Messenger) tampered() bool {
	return m.rr != nil && errors.Is(m.readErr, secure.ErrTampered)
}
