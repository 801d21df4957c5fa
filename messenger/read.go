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
	evTick                         // the ticker: rates, liveness, ping (see tick)
)

// Get returns the next message received, or nil when no whole message has
// arrived (as of the last Xfer). It never blocks. One Xfer may make many
// messages available: call Get until it returns nil.
//
// A frame the codec rejects but can skip (a *message.DecodeError that is
// Recoverable, such as a type this side does not know) is skipped and
// counted in Stats (SkippedFrames, by reason, and LastSkip); Get goes on
// with the next frame and no error is reported. Skipping is bounded per
// Xfer (the skip budget, see the package documentation): once 64 frames or
// 64 KiB have been skipped since the last Xfer, Get returns nil and goes
// on after the next Xfer, so that a peer that sends nothing but bad frames
// cannot make one frame of the game loop long. A frame after which the
// stream cannot go on closes the connection; the next Xfer returns the
// error.
func (m *Messenger) Get() message.Message {
	if m.runI < m.runN {
		// The slot keeps its pointer until the next run overwrites it
		// (at most runLen messages kept alive a little longer): a nil
		// store here would cost a write barrier a message while the GC
		// runs.
		msg := m.run[m.runI]
		m.runI++
		return msg
	}
	if m.r >= m.limit || m.stalled || m.throttled {
		return nil
	}
	if m.runner != nil {
		return m.decodeRun()
	}
	return m.decode()
}

// runLen is how many messages Get decodes at a time with a codec whose
// Decoder decodes runs and leaves the recovery of panics to it
// (message.RunDecoder): one
// recover for the run instead of one per frame, which for a small byte
// frame costs about as much as decoding it (measured: 14 against 7 ns a
// frame). The run's messages wait in Messenger.run for the next Gets;
// a decoder must not retain the bytes it decodes (message.PayloadDecoder),
// so they outlive the read buffer's next compaction.
const runLen = 32

// decodeRun decodes up to runLen messages into run and returns the first.
func (m *Messenger) decodeRun() message.Message {
	m.runI, m.runN = 0, 0
	for !m.fillRun() {
		// A type's code panicked: the frame was skipped, go on.
	}
	if m.runN == 0 {
		return nil
	}
	m.runI = 1
	return m.run[0]
}

// fillRun decodes into run until it is full or decode has nothing more.
// It reports false after recovering a panic of a type's code, which it
// turns into a skipped frame as the codec's own Decode would; a panic from
// anywhere else goes on up.
func (m *Messenger) fillRun() (done bool) {
	defer func() {
		if !m.inCodec && !m.inRun {
			return
		}
		if m.inRun {
			m.ran(m.runner.RunProgress()) // the frames before the one that panicked
		}
		m.inCodec, m.inRun = false, false
		r := recover()
		n, err := m.runner.Recovered(m.rbuf[m.r:m.limit], r)
		m.r += n
		m.scanned = 0
		m.skipped(err, n)
		done = m.throttled || m.r >= m.limit
	}()
	for m.runN < len(m.run) {
		m.inRun = true
		k, n := m.runner.DecodeRun(m.rbuf[m.r:m.limit], m.run[m.runN:])
		m.inRun = false
		m.ran(k, n)
		if m.runN == len(m.run) {
			break
		}
		// What the run did not take: a control frame, a frame to skip,
		// part of a frame, a type without a fast path.
		msg := m.decode()
		if msg == nil {
			break
		}
		m.run[m.runN] = msg
		m.runN++
	}
	return true
}

// ran counts k messages of n bytes that DecodeRun put in run.
func (m *Messenger) ran(k, n int) {
	if k == 0 {
		return
	}
	m.runN += k
	m.r += n
	m.scanned = 0
	m.counts.msgsIn += uint64(k)
	m.statsDue = true
}

// The skip budget: what Get may skip between two Xfers.
const (
	skipBudgetFrames = 64
	skipBudgetBytes  = 64 << 10
)

func (m *Messenger) decode() message.Message {
	for m.r < m.limit {
		if m.ctl && m.rbuf[m.r] == 0 {
			switch n := m.control(m.rbuf[m.r:m.limit]); {
			case n > 0:
				m.r += n
				if m.throttled {
					return nil
				}
				continue
			case n == 0:
				m.stalled = true // part of a control frame: wait for the rest
				return nil
			}
		}
		avail := m.limit - m.r
		var (
			msg message.Message
			n   int
			err error
		)
		if m.resumer != nil {
			msg, n, err = m.resumer.DecodeFrom(m.rbuf[m.r:m.limit], m.scanned)
		} else if m.runner != nil {
			m.inCodec = true
			msg, n, err = m.runner.DecodeUnchecked(m.rbuf[m.r:m.limit])
			m.inCodec = false
		} else {
			msg, n, err = m.dec.Decode(m.rbuf[m.r:m.limit])
		}
		if err == nil && msg != nil && uint(n-1) < uint(avail) { // 0 < n <= avail
			m.r += n
			m.scanned = 0
			m.counts.msgsIn++
			m.statsDue = true
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
			m.skipped(err, n)
			if m.throttled {
				return nil
			}
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

// skipped counts a frame of n bytes skipped after err, and spends the skip
// budget.
func (m *Messenger) skipped(err error, n int) {
	m.counts.skipped++
	m.statsDue = true
	switch {
	case errors.Is(err, message.ErrUnknownType):
		m.counts.skippedUnknown++
	case errors.Is(err, message.ErrBadPayload):
		m.counts.skippedPayload++
	case errors.Is(err, message.ErrMalformed):
		m.counts.skippedMalformed++
	}
	m.lastSkip, m.skipNew = err, true
	if c := m.counts.skipped; c&(c-1) == 0 { // the 1st, 2nd, 4th, 8th...: logs stay few under a flood
		m.log.Warn("messenger: frame skipped", "remote", m.conn.RemoteAddr(), "skipped", c, "err", err)
	}
	m.skipsNow++
	m.skipBytes += n
	if m.skipsNow >= skipBudgetFrames || m.skipBytes >= skipBudgetBytes {
		m.throttled = true
	}
}

// fail records a fatal error from the application goroutine and closes the
// connection, which ends readLoop and writeLoop.
func (m *Messenger) fail(err error) {
	if m.err == nil {
		m.err = err
	}
	m.r, m.limit, m.stalled, m.scanned = 0, 0, true, 0
	m.failed = true
	m.log.Warn("messenger: connection closed", "remote", m.conn.RemoteAddr(), "err", err)
	_ = m.closeConn()
}

// failTampered fails on a record that did not open: nothing more from the
// stream is delivered, not even the messages decoded ahead (run).
func (m *Messenger) failTampered() {
	clear(m.run[:])
	m.runI, m.runN = 0, 0
	m.fail(m.err)
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
