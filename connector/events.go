package connector

import (
	"bytes"
	"runtime"
)

// event is one callback to run.
type event struct {
	connect   bool
	nameplate bool // OnNameplate, with peer.ID and peer.Nameplate
	peer      Peer
	reason    error
}

// enqueueLocked queues ev for the dispatcher; it never blocks.
func (c *BroadcastConnector) enqueueLocked(ev event) {
	c.events = append(c.events, ev)
	select {
	case c.evSignal <- struct{}{}:
	default:
	}
}

// dispatchLoop is the callback goroutine: it runs OnConnect, OnDisconnect
// and OnNameplate in queue order, without holding any lock. At Stop it
// runs what is left, closes stopDone and exits. It closes started once its
// id is recorded.
func (c *BroadcastConnector) dispatchLoop(started chan<- struct{}) {
	c.dispGoID.Store(goroutineID())
	close(started)
	for {
		select {
		case <-c.evSignal:
			c.runEvents()
		case <-c.evClose:
			c.runEvents()
			close(c.stopDone)
			return
		}
	}
}

// goroutineID returns the id of the calling goroutine, from the first line
// of its stack trace ("goroutine 42 [running]:"). Stop uses it to tell a
// call from a callback, which must not wait for its own goroutine; the
// runtime offers no other way to ask "am I that goroutine?".
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b, _ = bytes.CutPrefix(b, []byte("goroutine "))
	var id uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			break
		}
		id = id*10 + uint64(ch-'0')
	}
	return id
}

func (c *BroadcastConnector) runEvents() {
	var batch []event
	for {
		c.mu.Lock()
		batch, c.events = c.events, batch[:0]
		c.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for i, ev := range batch {
			switch {
			case ev.nameplate:
				c.cfg.OnNameplate(ev.peer.ID, ev.peer.Nameplate) // queued only when set
			case ev.connect:
				if c.cfg.OnConnect != nil {
					c.cfg.OnConnect(ev.peer)
				}
			case c.cfg.OnDisconnect != nil:
				c.cfg.OnDisconnect(ev.peer, ev.reason)
			}
			batch[i] = event{} // let the Peer go
		}
	}
}
