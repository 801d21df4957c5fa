package messenger

import (
	"errors"
	"fmt"
	"io"

	"github.com/cablecar-go/cablecar/message"
)

// Events that readLoop and writeLoop post to the application goroutine.
const (
	evFull      uint32 = 1 << iota // readLoop has no room left and waits on resume
	evReadErr                      // readLoop has ended; readErr is set
	evWriteDone                    // writeLoop has finished with wbuf
	evWriteErr                     // writeLoop has failed and ended; werr is set
	evReadable                     // watch saw the socket readable (or closed)
)

// Get returns the next message received, or nil when no whole message has
// arrived (as of the last Xfer). It never blocks. One Xfer may make many
// messages available: call Get until it returns nil.
//
// A frame the codec rejects but can skip (a *message.DecodeError that is
// Recoverable) is skipped, counted in Stats.SkippedFrames and returned by
// the next Xfer; Get goes on with the next frame. A frame after which the
// stream cannot go on closes the connection; the next Xfer returns the
// error.
func (m *Messenger) Get() message.Message {
	if m.r >= m.limit || m.stalled {
		return nil
	}
	return m.decode()
}

func (m *Messenger) decode() message.Message {
	for m.r < m.limit {
		avail := m.limit - m.r
		var (
			msg message.Message
			n   int
			err error
		)
		if m.resumer != nil {
			msg, n, err = m.resumer.DecodeFrom(m.rbuf[m.r:m.limit], m.scanned)
		} else {
			msg, n, err = m.codec.Decode(m.rbuf[m.r:m.limit])
		}
		if err == nil && msg != nil && uint(n-1) < uint(avail) { // 0 < n <= avail
			m.r += n
			m.scanned = 0
			m.counts.msgsIn++
			return msg
		}
		switch {
		case err == nil && n == 0:
			m.stalled = true
			m.scanned = avail
			return nil
		case err != nil && n > 0 && n <= avail:
			m.r += n
			m.scanned = 0
			m.counts.skipped++
			if m.pending == nil {
				m.pending = err
			}
			m.log.Warn("messenger: frame skipped", "remote", m.conn.RemoteAddr(), "err", err)
		default:
			if err == nil {
				err = fmt.Errorf("messenger: codec %s: Decode returned message %T, %d bytes of %d", m.codec.Name(), msg, n, avail)
			}
			m.fail(err)
			return nil
		}
	}
	return nil
}

// fail records a fatal error from the application goroutine and closes the
// connection, which ends readLoop and writeLoop.
func (m *Messenger) fail(err error) {
	if m.err == nil {
		m.err = err
	}
	m.r, m.limit, m.stalled, m.scanned = 0, 0, true, 0
	m.log.Warn("messenger: connection closed", "remote", m.conn.RemoteAddr(), "err", err)
	_ = m.closeConn()
}

// failTooLarge fails on a frame that does not fit in MaxReadBuffer.
func (m *Messenger) failTooLarge() {
	m.fail(&message.DecodeError{
		Codec: m.codec.Name(),
		Err:   fmt.Errorf("%w: a frame is larger than MaxReadBuffer (%d bytes)", message.ErrTooLarge, m.opts.MaxReadBuffer),
	})
}

// readError turns readLoop's error into the one Xfer reports.
func (m *Messenger) readError() error {
	if m.closed.Load() {
		return ErrClosed
	}
	if errors.Is(m.readErr, io.EOF) {
		if m.r < m.limit {
			return fmt.Errorf("%w in the middle of a frame (%d bytes lost)", ErrPeerClosed, m.limit-m.r)
		}
		return ErrPeerClosed
	}
	return fmt.Errorf("messenger: read: %w", m.readErr)
}

func (m *Messenger) goroutineDone() {
	m.live.Add(-1)
	liveGoroutines.Add(-1)
	m.wg.Done()
}
