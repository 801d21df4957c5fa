package connector

// event is one callback to run.
type event struct {
	connect bool
	peer    Peer
	reason  error
}

// enqueueLocked queues ev for the dispatcher; it never blocks.
func (c *BroadcastConnector) enqueueLocked(ev event) {
	c.events = append(c.events, ev)
	select {
	case c.evSignal <- struct{}{}:
	default:
	}
}

// dispatchLoop is the callback goroutine: it runs OnConnect and
// OnDisconnect in queue order, without holding any lock. At Stop it runs
// what is left and exits.
func (c *BroadcastConnector) dispatchLoop() {
	defer c.dispWG.Done()
	for {
		select {
		case <-c.evSignal:
			c.runEvents()
		case <-c.evClose:
			c.runEvents()
			return
		}
	}
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
			if ev.connect {
				if c.cfg.OnConnect != nil {
					c.cfg.OnConnect(ev.peer)
				}
			} else if c.cfg.OnDisconnect != nil {
				c.cfg.OnDisconnect(ev.peer, ev.reason)
			}
			batch[i] = event{} // let the Peer go
		}
	}
}
