package room

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cablecar-go/cablecar/message"
)

// Xfer moves what can move now for every peer: it takes in the peers that
// completed their hello (a Joined event each), pumps each peer's Messenger
// (messenger.Messenger.Xfer) and drops the peers whose connection ended
// (a Left event each). It never blocks, and an idle Xfer allocates
// nothing. Call it once per frame, then Get until nil, then Send, then
// Xfer again (as with a Messenger, so that this frame's messages leave in
// this frame). It returns ErrClosed after Close, and nil otherwise: a
// peer's errors are events.
func (r *Room) Xfer() error {
	if r.isClose {
		return ErrClosed
	}
	r.xfers++
	if r.sec.mode >= secHost { // a code to expire, or a host to wait for
		r.now = time.Since(r.epoch)
		if r.now >= r.sec.dueNow() {
			r.secTick()
		}
	}
	if r.pending.Load() {
		r.admit()
	}
	if r.ackDue || r.workDue {
		r.retry()
	}
	if r.faulty {
		r.faulty = false
		for i := 0; i < len(r.peers); i++ {
			if p := r.peers[i]; p.fault != nil {
				r.drop(p, p.fault)
				i--
			}
		}
	}
	// r.ms, not r.peers: an idle room reads only the Messengers.
	for i := 0; i < len(r.ms); i++ {
		if err := r.ms[i].Xfer(); err != nil {
			p := r.peers[i]
			r.drop(p, classify(err, p.bye))
			i--
		}
	}
	return nil
}

// admit takes the arrivals in.
func (r *Room) admit() {
	r.mu.Lock()
	arrivals := r.arrivals
	r.arrivals = r.arrivals[len(r.arrivals):]
	r.pending.Store(false)
	r.mu.Unlock()
	for i, a := range arrivals {
		arrivals[i] = arrival{}
		if a.p == nil {
			if rj, ok := a.ev.(Rejected); ok {
				r.cfg.Logger.Debug("room: connection refused", "addr", rj.Addr, "reason", rj.Reason)
			}
			r.push(a.ev)
			continue
		}
		p := a.p
		if _, dup := r.byID[p.id]; dup {
			p.m.Close()
			r.push(Rejected{Addr: p.addr, Reason: fmt.Errorf("%w: peer %016x is in the room already", ErrHello, uint64(p.id))})
			continue
		}
		p.groups = make(map[string]struct{})
		p.m.Notify(r.wake) // Recv sleeps until a peer has something
		r.peers = append(r.peers, p)
		r.ms = append(r.ms, p.m)
		r.byID[p.id] = p
		r.cfg.Logger.Debug("room: peer joined", "peer", fmt.Sprintf("%016x", uint64(p.id)), "addr", p.addr)
		r.admitted(p)
		r.push(Joined{Peer: p.id, Name: p.name, Addr: p.addr})
		for g := range r.groups { // tell it our groups
			_ = p.m.Send(&ctrlJoin{groupField{g}})
		}
	}
}

// drop removes p from the room with a Left event.
func (r *Room) drop(p *peer, reason error) {
	p.m.Close()
	p.gone = true
	delete(r.byID, p.id)
	if i := slices.Index(r.peers, p); i >= 0 {
		r.peers = slices.Delete(r.peers, i, i+1) // zeroes the tail
		r.ms = slices.Delete(r.ms, i, i+1)
	}
	if r.cursor >= len(r.peers) {
		r.cursor = 0
	}
	r.requeue(p)
	r.cfg.Logger.Debug("room: peer left", "peer", fmt.Sprintf("%016x", uint64(p.id)), "reason", reason)
	r.push(Left{Peer: p.id, Reason: reason})
}

func (r *Room) push(ev Event) {
	if r.evHead == len(r.events) {
		r.events = r.events[:0]
		r.evHead = 0
	}
	r.events = append(r.events, ev)
}

// Get returns the next event, or nil when there is none until the next
// Xfer: peers joined, left and refused first, then the messages of the
// peers, one from each in turn. It never blocks. A peer's Left comes after every
// message it sent.
func (r *Room) Get() Event {
	if r.evHead < len(r.events) {
		ev := r.events[r.evHead]
		r.events[r.evHead] = nil
		r.evHead++
		return ev
	}
	n := len(r.peers)
	c := r.cursor
	for tried := 0; tried < n; {
		if c >= n {
			c = 0
		}
		var msg message.Message
		if !r.faulty || r.peers[c].fault == nil {
			msg = r.ms[c].Get()
		}
		if msg == nil {
			c++
			tried++
			continue
		}
		p := r.peers[c]
		if ev, ok := r.received(p, msg); ok {
			r.cursor = c + 1 // the next peer's turn: one peer cannot starve the others
			return ev
		}
	}
	r.cursor = c
	return nil
}

// received handles a message from p: a control message is the room's, any
// other one an event.
func (r *Room) received(p *peer, msg message.Message) (Event, bool) {
	switch c := msg.(type) {
	case *ctrlTag:
		p.tag, p.item = c.G, ctrlItem{}
		return nil, false
	case *ctrlJoin:
		r.memberJoined(p, c.G)
		return nil, false
	case *ctrlLeave:
		delete(p.groups, c.G)
		return nil, false
	case *ctrlBye:
		p.bye = true
		return nil, false
	case *ctrlPing:
		return nil, false
	case *ctrlSecret:
		r.gotSecret(p, c)
		return nil, false
	case *ctrlNotify:
		r.notified(p, c)
		return nil, false
	case *ctrlItem:
		p.tag, p.item = "", *c
		return nil, false
	case *ctrlAck:
		r.acked(p, c.Seq)
		return nil, false
	}
	if p.item.Seq != 0 {
		it := p.item
		p.item = ctrlItem{}
		r.ack(p, it.Seq)
		return Item{Peer: p.id, Group: it.G, Msg: msg}, true
	}
	g := p.tag
	if g == "" {
		return Message{Peer: p.id, Msg: msg}, true
	}
	p.tag = ""
	if _, member := r.groups[g]; !member {
		return nil, false // published to a group this room has left
	}
	return Message{Peer: p.id, Group: g, Msg: msg}, true
}

// Recv returns the next event, calling Xfer and waiting as needed, for
// programs without a game loop. It returns an error wrapping ctx.Err() when
// ctx ends first (with no peer in the room, it also wraps the reason
// discovery sees: connector.ErrNoInterface, connector.ErrNoEcho, ...; see
// connector.BroadcastConnector.NoPeerReason), or ErrClosed after Close. It
// does not poll: between two Xfers it sleeps until a peer's Messenger
// signals that it has something (bytes, the end of its connection, a
// finished write, a ping or timeout check due: see
// messenger.Messenger.Notify), a peer completes its hello, or (with Invite
// or Code) the code's expiry or the join deadline comes.
func (r *Room) Recv(ctx context.Context) (Event, error) {
	for {
		if ev := r.Get(); ev != nil {
			return ev, nil
		}
		if err := r.Xfer(); err != nil {
			return nil, err
		}
		if ev := r.Get(); ev != nil {
			return ev, nil
		}
		if r.idle() {
			if err := r.sleep(ctx); err != nil {
				return nil, err
			}
		} else if err := ctx.Err(); err != nil {
			return nil, r.aloneErr(err)
		}
	}
}

// sleep is Recv's wait for r.wake: until ctx ends, and with Invite or
// Code no later than the code's expiry or the join deadline (secTick).
func (r *Room) sleep(ctx context.Context) error {
	var due <-chan time.Time
	if r.sec.mode >= secHost {
		t := time.NewTimer(max(r.sec.dueNow()-time.Since(r.epoch), 0))
		defer t.Stop()
		due = t.C
	}
	select {
	case <-ctx.Done():
		return r.aloneErr(ctx.Err())
	case <-r.wake:
	case <-due:
	}
	return nil
}

// idle prepares Recv's wait: it asks every peer's Messenger to signal
// r.wake when it has something (messenger.Messenger.Ready), and reports
// whether there is nothing to do until then.
func (r *Room) idle() bool {
	idle := !r.pending.Load() && r.evHead == len(r.events)
	for _, p := range r.peers {
		if p.fault != nil || p.m.Ready() {
			idle = false // Ready armed it anyway: every peer is asked
		}
	}
	return idle
}

// Peers returns the ids of the peers in the room, in the order they
// joined.
func (r *Room) Peers() []PeerID {
	ids := make([]PeerID, len(r.peers))
	for i, p := range r.peers {
		ids[i] = p.id
	}
	return ids
}

// Send queues msg for peer id; it never blocks. It returns an error
// wrapping ErrUnknownPeer when id is not in the room, and otherwise the
// Messenger's: messenger.ErrQueueFull (nothing queued), an encode error
// (errors.Is message.ErrTooLarge for a byte payload over 253 bytes,
// message.ErrUnknownType for an unregistered type), or the peer's final
// error (it leaves at the next Xfer). A panic in msg's own AppendPayload
// comes out of Send, as from messenger.Messenger.Send; SendAll, Publish
// and Produce, which encode the message once first to check it, return it
// as an error wrapping message.ErrBadPayload instead.
func (r *Room) Send(id PeerID, msg message.Message) error {
	if r.isClose {
		return ErrClosed
	}
	p := r.byID[id]
	if p == nil {
		return fmt.Errorf("%w: %016x", ErrUnknownPeer, uint64(id))
	}
	return r.sendTo(p, "", msg)
}

// SendAll queues msg for every peer in the room. The message is checked
// (encoded) once first, so an encode error is returned before anything is
// queued; a peer whose queue is full misses it, and the first such error
// is returned after the others have it.
func (r *Room) SendAll(msg message.Message) error {
	return r.sendGroup("", msg)
}

// sendGroup queues msg (tagged with group g unless g is "") for every peer
// in the room that is a member of g (every peer for "").
func (r *Room) sendGroup(g string, msg message.Message) error {
	if r.isClose {
		return ErrClosed
	}
	if err := r.check(msg); err != nil {
		return err
	}
	var first error
	for _, p := range r.peers {
		if g != "" {
			if _, ok := p.groups[g]; !ok {
				continue
			}
		}
		if err := r.sendTo(p, g, msg); err != nil && first == nil {
			first = fmt.Errorf("room: to peer %016x: %w", uint64(p.id), err)
		}
	}
	return first
}

// check encodes msg once, for its encode error.
func (r *Room) check(msg message.Message) error {
	b, err := r.codec.AppendFrame(r.scratch[:0], msg)
	r.scratch = b[:0]
	return err
}

// sendTo queues msg for p, after a tag naming group g (when g is not "").
// A tag queued without its message (the queue filled up in between) is
// cancelled by an empty tag before p's next message.
func (r *Room) sendTo(p *peer, g string, msg message.Message) error {
	if p.dirty {
		if err := p.m.Send(&ctrlTag{}); err != nil {
			return err
		}
		p.dirty = false
	}
	if g != "" {
		if err := p.m.Send(&ctrlTag{groupField{g}}); err != nil {
			return err
		}
	}
	if err := p.m.Send(msg); err != nil {
		p.dirty = g != ""
		return err
	}
	return nil
}

// Flush waits until every peer's write queue has been written to its
// connection, bounded by ctx, for programs without a game loop and for a
// sender that met messenger.ErrQueueFull. A peer whose connection failed
// leaves at the next Xfer; Flush returns ctx's error, or ErrClosed.
func (r *Room) Flush(ctx context.Context) error {
	if r.isClose {
		return ErrClosed
	}
	for _, p := range r.peers {
		if err := p.m.Flush(ctx); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}
