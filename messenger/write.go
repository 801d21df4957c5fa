package messenger

import (
	"fmt"
	"syscall"
	"time"
	"unsafe"

	"github.com/cablecar-go/cablecar/message"
)

// The write queue.
//
// Send appends encoded frames to wq. Xfer writes a small queue (up to
// directWriteMax bytes) itself, with one non-blocking write(2), when the
// connection is a *net.TCPConn, a *net.UnixConn or a DirectConn (rawConn).
// A larger queue,
// what such a write leaves (the socket buffer is full), and everything on
// other connections (net.Pipe, TLS) is handed to writeLoop, a goroutine
// started on first need that writes with the connection's blocking Write.
// While writeLoop writes, Send fills the other of two buffers and Xfer
// writes nothing: bytes go out in order.

// Send queues msg: it encodes it at the end of the write queue, to be
// written by the next Xfer. It never blocks. It returns ErrQueueFull when
// the frame would take the queue past Options.MaxWriteQueue (nothing is
// queued then, nothing is ever dropped silently), the codec's error (a
// *message.EncodeError) when msg cannot be encoded, and, once Xfer has
// reported that the connection is lost or the Messenger is closed, that
// same error.
//
// A panic in the message type's own encoding code (AppendPayload, with the
// byte codec and a type registered with message.Register) is not
// recovered: it comes out of Send like a panic in any of the program's
// methods, with nothing queued, and a program that recovers it may go on
// sending. (Recovering it cost about a quarter of Send's time; decoding,
// where the peer chooses the bytes, always recovers.) The JSON and msgpack
// codecs return such a panic as an error wrapping message.ErrBadPayload.
func (m *Messenger) Send(msg message.Message) error {
	if m.err != nil {
		return m.err
	}
	if m.closed.Load() {
		return ErrClosed
	}
	n0 := len(m.wq)
	if n0+m.inflight >= m.opts.MaxWriteQueue {
		return ErrQueueFull // not even one byte fits
	}
	var (
		wq  []byte
		err error
	)
	if m.uenc != nil {
		wq, err = m.uenc.AppendFrameUnchecked(m.wq, msg)
	} else {
		wq, err = m.enc.AppendFrame(m.wq, msg)
	}
	if err != nil {
		m.wq = wq[:n0]
		return err
	}
	if len(wq)+m.inflight > m.opts.MaxWriteQueue {
		m.wq = wq[:n0]
		if n0 == 0 && m.inflight == 0 {
			return fmt.Errorf("messenger: a %d-byte frame is larger than MaxWriteQueue (%d bytes): %w",
				len(wq)-n0, m.opts.MaxWriteQueue, message.ErrTooLarge)
		}
		return ErrQueueFull
	}
	if unsafe.SliceData(wq) == unsafe.SliceData(m.wq) {
		m.wq = m.wq[:len(wq)] // same array: no pointer store, no write barrier
	} else {
		m.wq = wq
	}
	m.counts.msgsOut++
	m.wqApp = true
	return nil
}

// directWriteMax is the largest queue that Xfer writes itself. A write(2)
// on a loopback socket costs a few microseconds: worth it for the few
// messages of a game frame, which then leave within Xfer with no goroutine
// hop (that is the round-trip latency), but not for bulk, which writeLoop
// writes from another thread while the game loop goes on, in batches that
// grow while a write is in flight (measured: 2x the throughput of writing
// 64 messages per Xfer directly).
const directWriteMax = 512

// write writes the queue, or hands it to writeLoop.
func (m *Messenger) write() {
	if m.pongT3 != 0 {
		m.stampPong()
	}
	if m.deadWrite != nil {
		m.writeFailed(m.deadWrite, m.wqApp || m.byePending)
		m.wq, m.wqApp = m.wq[:0], false
		return
	}
	if m.sealer != nil {
		m.writeSealed()
		return
	}
	if m.raw == nil || len(m.wq) > m.directMax {
		m.handOff(0)
		return
	}
	n, err := m.raw.write(m.wq)
	m.counts.bytesOutDirect += uint64(n)
	switch {
	case n == len(m.wq):
		m.wq, m.wqApp = m.wq[:0], false
	case err == nil || err == syscall.EAGAIN || err == syscall.EINTR:
		m.handOff(n) // the socket buffer is full: writeLoop waits for room
	default:
		m.writeFailed(m.writeError(m.raw.failed(err)), m.wqApp)
		m.wq, m.wqApp = m.wq[:0], false
	}
}

// writeFailed takes a write error. When the batch held bytes of Send (app)
// it is final. When it held only control frames (pings, pongs), which a
// side that only reads now writes too, the error is kept in deadWrite and
// nothing more is written: the read side then reports the end as it
// would have without pings (ErrPeerClosed after the peer's last message,
// a reset), or PeerTimeout does; the next Send's bytes report it.
func (m *Messenger) writeFailed(err error, app bool) {
	if !app {
		if m.deadWrite == nil {
			m.log.Debug("messenger: control write failed", "remote", m.conn.RemoteAddr(), "err", err)
		}
		m.deadWrite = err
		return
	}
	if m.err == nil {
		m.err = err
		m.log.Warn("messenger: connection lost", "remote", m.conn.RemoteAddr(), "err", m.err)
	}
}

// writeSealed seals the queue into the spare buffer (see record.go) and
// writes that as write writes the queue.
func (m *Messenger) writeSealed() {
	direct := m.raw != nil && len(m.wq) <= m.directMax
	out, err := sealQueue(m.sealer, m.spare, m.wq, m.byePending)
	if err != nil {
		m.fail(err)
		return
	}
	app := m.wqApp || m.byePending
	m.wq, m.byePending, m.wqApp = m.wq[:0], false, false
	if !direct {
		m.flightApp = app
		m.handOffSealed(out, 0)
		return
	}
	n, err := m.raw.write(out)
	m.counts.bytesOutDirect += uint64(n)
	switch {
	case n == len(out):
		m.spare = out[:0]
	case err == nil || err == syscall.EAGAIN || err == syscall.EINTR:
		m.flightApp = app
		m.handOffSealed(out, n)
	default:
		m.spare = out[:0]
		m.writeFailed(m.writeError(m.raw.failed(err)), app)
	}
}

// handOffSealed gives out[from:], sealed records, to writeLoop; wq stays
// the plaintext queue. writeDone gives out back as spare.
func (m *Messenger) handOffSealed(out []byte, from int) {
	if !m.writerOn && !m.startWriter() {
		m.err = ErrClosed
		return
	}
	m.inflightSince = m.wqSince
	if m.inflightSince.IsZero() {
		m.inflightSince = time.Now()
	}
	m.wqSince = time.Time{}
	m.wbufAll = out
	m.wbuf = out[from:]
	m.inflight = len(m.wbuf)
	m.busy = true
	m.spare = nil
	m.writeReq <- struct{}{} // never blocks: writeLoop is idle, cap 1
}

// handOff gives wq[from:] to writeLoop, starting it if needed, and takes the
// spare buffer as the new queue.
func (m *Messenger) handOff(from int) {
	if !m.writerOn && !m.startWriter() {
		m.err = ErrClosed
		return
	}
	m.inflightSince = m.wqSince
	if m.inflightSince.IsZero() {
		m.inflightSince = time.Now()
	}
	m.wqSince = time.Time{}
	m.flightApp, m.wqApp = m.wqApp, false
	m.wbufAll = m.wq
	m.wbuf = m.wq[from:]
	m.inflight = len(m.wbuf)
	m.busy = true
	m.wq = m.spare[:0]
	m.spare = nil
	m.writeReq <- struct{}{} // never blocks: writeLoop is idle, cap 1
}

// writeDone takes back writeLoop's buffer after evWriteDone.
func (m *Messenger) writeDone() {
	m.busy = false
	m.inflight = 0
	m.inflightSince = time.Time{}
	m.spare = m.wbufAll[:0]
	m.wbufAll, m.wbuf = nil, nil
}

func (m *Messenger) startWriter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return false
	}
	m.wg.Add(1)
	m.live.Add(1)
	liveGoroutines.Add(1)
	go m.writeLoop()
	m.writerOn = true
	return true
}

// writeLoop writes the buffers handOff gives it, with blocking writes.
func (m *Messenger) writeLoop() {
	defer m.goroutineDone()
	for {
		select {
		case <-m.writeReq:
		case <-m.closing:
			return
		}
		n, err := m.conn.Write(m.wbuf)
		m.written.Add(uint64(n))
		if err != nil {
			m.werr = err
			m.events.Or(evWriteErr | evWriteDone)
			m.wakeApp()
			return
		}
		m.events.Or(evWriteDone)
		m.wakeApp()
	}
}

// writeError turns a write error into the one Xfer reports.
func (m *Messenger) writeError(err error) error {
	if m.closed.Load() {
		return ErrClosed
	}
	return fmt.Errorf("messenger: write: %w", err)
}
