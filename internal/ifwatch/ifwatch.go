// Package ifwatch tells when the host's network interfaces or their IPv4
// addresses change, so that discovery picks up a returning link at once
// instead of at its next poll of the interface list. On Linux it listens
// to rtnetlink (RTMGRP_LINK and RTMGRP_IPV4_IFADDR); elsewhere New fails
// with errors.ErrUnsupported and callers keep polling.
package ifwatch

// A Watcher signals changes on C: one value stands for one or more
// changes since the last receive (the channel holds at most one). The
// receiver reads the interface list again; the events carry no detail.
type Watcher struct {
	C <-chan struct{}

	c    chan struct{}
	impl impl
	done chan struct{}
}

func (w *Watcher) signal() {
	select {
	case w.c <- struct{}{}:
	default:
	}
}

// Close stops the watcher and waits for its goroutine; C gets no value
// after it returns. It is safe to call more than once.
func (w *Watcher) Close() error {
	err := w.impl.close()
	<-w.done
	return err
}
