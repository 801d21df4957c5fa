package room

import (
	"fmt"
	"slices"

	"github.com/cablecar-go/cablecar/message"
)

// workQueue is the FIFO of one queue this room produces to.
type workQueue struct {
	items []workItem // oldest first
	rr    int        // where the next hand-out starts among the peers
	sent  int        // items in flight (sent, not acked)
}

type workItem struct {
	seq   uint64
	msg   message.Message
	group string // set once in flight
}

// Produce puts msg at the end of work queue g. Each item goes to one
// peer that asked for items of g (Notify), oldest first, consumers taken
// in turn; the room keeps it until that peer acknowledged it. The queue
// is this room's own: with several producers, each hands out its own
// items. msg is kept until then (do not change it). Errors: ErrGroupName,
// ErrWorkFull (Config.MaxWork items queued or in flight), or the codec's
// encode error, each with nothing queued.
func (r *Room) Produce(g string, msg message.Message) error {
	if r.isClose {
		return ErrClosed
	}
	if err := r.refuseCompat("Produce"); err != nil {
		return err
	}
	if err := checkGroup(g); err != nil {
		return err
	}
	if err := r.check(msg); err != nil {
		return err
	}
	q := r.work[g]
	if q == nil {
		q = &workQueue{}
		r.work[g] = q
	}
	if len(q.items)+q.sent >= r.cfg.MaxWork {
		return fmt.Errorf("%w: %q holds %d items", ErrWorkFull, g, r.cfg.MaxWork)
	}
	r.seq++
	q.items = append(q.items, workItem{seq: r.seq, msg: msg})
	r.dispatch(g, q)
	return nil
}

// Work returns the number of items of work queue g not yet handed out,
// and of those handed out and not yet acknowledged.
func (r *Room) Work(g string) (queued, inFlight int) {
	if q := r.work[g]; q != nil {
		return len(q.items), q.sent
	}
	return 0, 0
}

// Notify asks every peer now in the room for n more items of work queue
// g: each producer of g sends this room up to n items (Item events), and
// never the same item to another room. Errors: ErrGroupName, ErrBadCount
// (n outside 1..MaxNotify). A peer whose write queue is full misses the
// request (the error is returned after the others have it).
func (r *Room) Notify(g string, n int) error {
	if r.isClose {
		return ErrClosed
	}
	if err := r.refuseCompat("Notify"); err != nil {
		return err
	}
	if err := checkGroup(g); err != nil {
		return err
	}
	if n < 1 || n > MaxNotify {
		return fmt.Errorf("%w: %d (1..%d)", ErrBadCount, n, MaxNotify)
	}
	var first error
	for _, p := range r.peers {
		if err := p.m.Send(&ctrlNotify{G: g, N: uint32(n)}); err != nil && first == nil {
			first = fmt.Errorf("room: notify peer %016x: %w", uint64(p.id), err)
		}
	}
	return first
}

// notified records that p asked for n items of g.
func (r *Room) notified(p *peer, c *ctrlNotify) {
	if p.credits == nil {
		p.credits = make(map[string]int)
	}
	if _, ok := p.credits[c.G]; !ok && len(p.credits) >= MaxGroups {
		p.fault = &reasonError{kind: ErrPeerProtocol, cause: fmt.Errorf("room: peer asked for items of more than %d queues", MaxGroups)}
		r.faulty = true
		return
	}
	p.credits[c.G] = min(p.credits[c.G]+int(c.N), MaxNotify)
	if q := r.work[c.G]; q != nil {
		r.dispatch(c.G, q)
	}
}

// acked: p received item seq.
func (r *Room) acked(p *peer, seq uint64) {
	it, ok := p.inflight[seq]
	if !ok {
		return
	}
	delete(p.inflight, seq)
	r.work[it.group].sent--
}

// dispatch hands out the items of q to the peers that asked, oldest
// first, consumers in turn. An item whose Send fails stays first in the
// queue (tried again at the next Xfer).
func (r *Room) dispatch(g string, q *workQueue) {
	for len(q.items) > 0 {
		p := r.nextConsumer(g, q)
		if p == nil {
			return
		}
		it := q.items[0]
		if err := r.sendItem(p, g, it); err != nil {
			r.workDue = true // its queue is full: later
			return
		}
		q.items[0] = workItem{}
		q.items = q.items[1:]
		q.sent++
		p.credits[g]--
		if p.inflight == nil {
			p.inflight = make(map[uint64]workItem)
		}
		it.group = g
		p.inflight[it.seq] = it
	}
}

// nextConsumer returns the next peer, in turn, with credit for g.
func (r *Room) nextConsumer(g string, q *workQueue) *peer {
	for i := range r.peers {
		k := (q.rr + i) % len(r.peers)
		if p := r.peers[k]; p.credits[g] > 0 {
			q.rr = k + 1
			return p
		}
	}
	return nil
}

// sendItem queues the item tag and the item for p.
func (r *Room) sendItem(p *peer, g string, it workItem) error {
	if p.dirty {
		if err := p.m.Send(&ctrlTag{}); err != nil {
			return err
		}
		p.dirty = false
	}
	if err := p.m.Send(&ctrlItem{G: g, Seq: it.seq}); err != nil {
		return err
	}
	if err := p.m.Send(it.msg); err != nil {
		p.dirty = true
		return err
	}
	return nil
}

// requeue puts the items in flight to p, which left, back at the front of
// their queues, oldest first, and hands them out again.
func (r *Room) requeue(p *peer) {
	if len(p.inflight) == 0 {
		return
	}
	back := make(map[string][]workItem)
	for _, it := range p.inflight {
		back[it.group] = append(back[it.group], it)
	}
	p.inflight = nil
	for g, items := range back {
		q := r.work[g]
		slices.SortFunc(items, func(a, b workItem) int { return cmpSeq(a.seq, b.seq) })
		q.sent -= len(items)
		q.items = append(items, q.items...)
		r.dispatch(g, q)
	}
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ack queues the acknowledgement of item seq to p, or keeps it for the
// next Xfer when p's queue is full.
func (r *Room) ack(p *peer, seq uint64) {
	if len(p.acks) == 0 && p.m.Send(&ctrlAck{Seq: seq}) == nil {
		return
	}
	p.acks = append(p.acks, seq)
	r.ackDue = true
}

// retry queues the acks that did not fit and hands out the items that
// could not be sent; Xfer calls it when either is due.
func (r *Room) retry() {
	if r.ackDue {
		r.ackDue = false
		for _, p := range r.peers {
			for len(p.acks) > 0 {
				if p.m.Send(&ctrlAck{Seq: p.acks[0]}) != nil {
					r.ackDue = true
					break
				}
				p.acks = p.acks[1:]
			}
		}
	}
	if r.workDue {
		r.workDue = false
		for g, q := range r.work {
			r.dispatch(g, q)
		}
	}
}
