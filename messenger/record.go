package messenger

import (
	"fmt"
	"io"
	"slices"
	"syscall"

	"github.com/cablecar-go/cablecar/secure"
)

// The record stage of a secure Messenger (Options.Secret): between the
// socket and the codec buffers, in the style of a block cipher stage
// rather than a net.Conn wrapper, so that the direct non-blocking path
// and the goroutine path both keep working.
//
// Writing: Send appends plaintext frames to wq as always. When the queue
// is written (write), it is sealed into the writer's other buffer (spare),
// one record per MaxRecordPayload bytes of the batch, and that buffer is
// what is written, directly or by writeLoop. A batch is sealed only when
// no write is in flight, so one sealed buffer is enough; it grows to the
// largest batch once and is reused, so sealing allocates nothing in the
// steady state.
//
// Reading: the socket's bytes go to recordReader's own buffer (never into
// rbuf); each whole record is opened in place there and its payload copied
// to the end of the plaintext in rbuf, which the codec decodes as before.
// Only authenticated bytes ever reach rbuf. In direct mode Xfer does this;
// in readLoop mode readLoop does, in its goroutine (it owns the
// recordReader then).

// recordBufLen is the size of recordReader's buffer: room for a whole
// record after any partial one, and reads of at least one record's size.
const recordBufLen = 4 * secure.MaxRecordLen

// recordReader gathers sealed records from the socket and opens them.
type recordReader struct {
	o   *secure.Opener
	buf []byte
	// buf[start:end] holds received bytes not yet opened; plain is the
	// opened payload not yet handed out (within buf, before start).
	start, end int
	plain      []byte
	src        func([]byte) (int, error) // reads the socket (see read)
	srcErr     error                     // the socket's final error (io.EOF at its end)
	err        error                     // the stream's final error, once srcErr is reached
}

func newRecordReader(o *secure.Opener, src func([]byte) (int, error)) *recordReader {
	return &recordReader{o: o, src: src, buf: make([]byte, recordBufLen)}
}

// ready reports whether take has something to give without reading the
// socket.
func (r *recordReader) ready() bool {
	if len(r.plain) != 0 {
		return true
	}
	n := r.end - r.start
	if n < secure.RecordHeaderLen {
		return false
	}
	k, err := secure.RecordLen(r.buf[r.start:r.end])
	return err != nil || n >= k
}

// take copies opened plaintext into dst, opening the whole records
// received, and returns how much it copied. A record that fails to open
// gives an error wrapping secure.ErrTampered; the plaintext of the records
// before it has been handed out.
func (r *recordReader) take(dst []byte) (int, error) {
	n := 0
	for n < len(dst) {
		if len(r.plain) == 0 {
			ok, err := r.open()
			if err != nil {
				return n, err
			}
			if !ok {
				break
			}
			continue
		}
		c := copy(dst[n:], r.plain)
		r.plain = r.plain[c:]
		n += c
	}
	return n, nil
}

// open opens the next record if it has arrived whole. An empty record
// (the goodbye of a clean close) is taken too and leaves plain empty.
func (r *recordReader) open() (bool, error) {
	if r.err != nil {
		return false, nil // after the goodbye (or a failure) nothing is the peer's
	}
	avail := r.end - r.start
	if avail < secure.RecordHeaderLen {
		return false, nil
	}
	rec := r.buf[r.start:r.end]
	k, err := secure.RecordLen(rec)
	if err != nil {
		return false, r.fail(err)
	}
	if avail < k {
		return false, nil
	}
	p, err := r.o.Open(rec[secure.RecordHeaderLen:secure.RecordHeaderLen], rec[:k])
	if err != nil {
		return false, r.fail(err)
	}
	r.start += k
	r.plain = p
	if len(p) == 0 {
		r.srcGoodbye()
	}
	return true, nil
}

// srcGoodbye records the peer's goodbye: the stream ends cleanly here.
// Anything after it is not the peer's.
func (r *recordReader) srcGoodbye() {
	if r.err == nil {
		r.err = io.EOF
	}
}

func (r *recordReader) fail(err error) error {
	r.err = err
	return err
}

// space returns the free room at the end of buf for a read; it moves the
// unopened bytes to the front first when less than a record's room is
// left. Called only once plain is empty.
func (r *recordReader) space() []byte {
	if r.start == r.end {
		r.start, r.end = 0, 0
	} else if len(r.buf)-r.end < secure.MaxRecordLen {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	return r.buf[r.end:]
}

// read fills dst with plaintext, reading the socket with r.src at most once
// (src returns syscall.EAGAIN for nothing there, and io.EOF or another
// error at the end). It returns syscall.EAGAIN when no plaintext is ready
// yet, and the stream's end once every record before it is handed out:
// io.EOF after the peer's goodbye, an error wrapping secure.ErrTampered
// for a failed record or one cut short, ErrCut for an end without a
// goodbye, or the socket's error.
func (r *recordReader) read(dst []byte) (int, error) {
	if r.err != nil && len(r.plain) == 0 {
		return 0, r.err
	}
	n, err := r.take(dst)
	if n > 0 || err != nil {
		return n, err
	}
	if r.err != nil { // the goodbye was the last record
		return 0, r.err
	}
	if r.srcErr == nil {
		k, e := r.src(r.space())
		r.end += k
		if e != nil && !wouldBlock(e) {
			r.srcErr = e
		}
		if n, err = r.take(dst); n > 0 || err != nil {
			return n, err
		}
		if r.err != nil {
			return 0, r.err
		}
	}
	if r.srcErr == nil {
		return 0, syscall.EAGAIN
	}
	switch {
	case r.srcErr != io.EOF:
		r.err = r.srcErr
	case r.start != r.end:
		r.err = fmt.Errorf("%w: the stream ends in the middle of a record (%d bytes)", secure.ErrTampered, r.end-r.start)
	default:
		r.err = ErrCut
	}
	return 0, r.err
}

// sealQueue seals wq into dst's storage, one record per MaxRecordPayload
// bytes, and returns the sealed bytes. It grows dst once for the batch, so
// that sealing never allocates when dst is large enough.
//
// With bye set it ends the batch with an empty record, the goodbye that
// tells the peer the stream ends here cleanly.
func sealQueue(s *secure.Sealer, dst, wq []byte, bye bool) ([]byte, error) {
	recs := (len(wq) + secure.MaxRecordPayload - 1) / secure.MaxRecordPayload
	if bye {
		recs++
	}
	dst = slices.Grow(dst[:0], len(wq)+recs*secure.RecordOverhead)
	for len(wq) > 0 {
		p := wq[:min(len(wq), secure.MaxRecordPayload)]
		var err error
		if dst, err = s.Seal(dst, p); err != nil {
			return dst[:0], fmt.Errorf("messenger: seal: %w", err)
		}
		wq = wq[len(p):]
	}
	if bye {
		var err error
		if dst, err = s.Seal(dst, nil); err != nil {
			return dst[:0], fmt.Errorf("messenger: seal: %w", err)
		}
	}
	return dst, nil
}
