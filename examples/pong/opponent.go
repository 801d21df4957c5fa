package main

import (
	"context"

	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// link is what a session needs of the other player: a
// *messenger.Messenger's pump (the tests play over one on a net.Pipe), or
// an opponent in a room.
type link interface {
	Send(message.Message) error
	Xfer() error
	Get() message.Message
	Recv(context.Context) (message.Message, error)
	Shutdown(context.Context) error
}

// opponent is the other player, the one peer of a room of two. It reads
// the room's events as a Messenger's pump: Get returns the opponent's
// messages; once it has left, Xfer and Recv return why (the messages it
// sent before are still returned by Get first).
type opponent struct {
	r    *room.Room
	id   room.PeerID
	addr string
	in   []message.Message
	head int
	err  error // why it left
}

// ReadStats fills s with the figures of the opponent's Messenger (its
// round trip included); it never blocks.
func (op *opponent) ReadStats(s *messenger.Stats) { op.r.Stats(op.id, s) }

// Send queues msg for the opponent; it never blocks.
func (op *opponent) Send(msg message.Message) error { return op.r.Send(op.id, msg) }

// Xfer pumps the room, then files its events.
func (op *opponent) Xfer() error {
	if err := op.r.Xfer(); err != nil {
		return err
	}
	for ev := op.r.Get(); ev != nil; ev = op.r.Get() {
		op.file(ev)
	}
	return op.err
}

// file keeps the opponent's messages and its leave; any other peer (there
// is none in a room of two) is ignored.
func (op *opponent) file(ev room.Event) {
	switch ev := ev.(type) {
	case room.Message:
		if ev.Peer == op.id {
			op.in = append(op.in, ev.Msg)
		}
	case room.Left:
		if ev.Peer == op.id {
			op.err = ev.Reason
		}
	}
}

// Get returns the next message of the opponent, or nil.
func (op *opponent) Get() message.Message {
	if op.head == len(op.in) {
		op.in, op.head = op.in[:0], 0
		return nil
	}
	msg := op.in[op.head]
	op.in[op.head] = nil
	op.head++
	return msg
}

// Recv waits for the next message of the opponent, until ctx ends or the
// opponent leaves.
func (op *opponent) Recv(ctx context.Context) (message.Message, error) {
	for {
		if msg := op.Get(); msg != nil {
			return msg, nil
		}
		if op.err != nil {
			return nil, op.err
		}
		ev, err := op.r.Recv(ctx)
		if err != nil {
			return nil, err
		}
		op.file(ev)
	}
}

// Shutdown delivers what is queued (bounded by ctx), with a goodbye, and
// closes the room.
func (op *opponent) Shutdown(ctx context.Context) error { return op.r.Shutdown(ctx) }

// Close closes the room at once.
func (op *opponent) Close() error { return op.r.Close() }
