package main

import (
	"sync"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/messenger"
)

type eventKind int

const (
	evConnected    eventKind = iota // the connector reported a new connection
	evDisconnected                  // the connector dropped a connection
	evReady                         // a Messenger is ready on a connection
	evFailed                        // a Messenger could not be made (hello failed)
)

type event struct {
	kind eventKind
	peer connector.Peer
	m    *messenger.Messenger // evReady
	err  error                // evDisconnected, evFailed
}

// eventQueue carries events from other goroutines (the connector's
// callbacks, hello goroutines) to the main loop. push never blocks, so a
// callback can never wait for the main loop (which may itself be waiting in
// connector.Stop for the callbacks to end). It is bounded in practice by
// the connector's peer limit.
type eventQueue struct {
	mu     sync.Mutex
	q      []event
	signal chan struct{} // cap 1: events are waiting
}

func newEventQueue() *eventQueue { return &eventQueue{signal: make(chan struct{}, 1)} }

func (e *eventQueue) push(ev event) {
	e.mu.Lock()
	e.q = append(e.q, ev)
	e.mu.Unlock()
	select {
	case e.signal <- struct{}{}:
	default:
	}
}

// drain returns the queued events, oldest first, and empties the queue.
func (e *eventQueue) drain() []event {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.q
	e.q = nil
	return q
}
