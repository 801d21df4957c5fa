package transcribe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// flushTimeout bounds the flush of the last parts (the Got) when an
// exchange ends: a peer that stops reading must not keep us.
const flushTimeout = 2 * time.Second

// exchange gives mine to the first peer that joins r and returns the
// peer's blob, once the peer has acknowledged mine. It pumps r every poll
// until then, deadline, or ctx. other handles the events that are not the
// exchange's (the room's invitations, rejected connections), told whether
// the peer has joined; an error it returns ends the exchange.
func exchange(ctx context.Context, r *room.Room, mine []byte, limit int, poll time.Duration, deadline time.Time, other func(ev room.Event, joined bool) error) ([]byte, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var (
		peer    room.PeerID
		joined  bool
		out     []Part // parts not yet queued
		theirs  = newAssembler(limit)
		acked   bool // the peer has all of mine
		gotSent bool
	)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	send := func() error {
		for len(out) > 0 {
			err := r.Send(peer, &msgPart{out[0]})
			if errors.Is(err, messenger.ErrQueueFull) {
				return nil // the next tick goes on
			}
			if err != nil {
				return fmt.Errorf("transcribe: send: %w", err)
			}
			out = out[1:]
		}
		return nil
	}
	// finish flushes what is queued (a Got, an Abort) before we go.
	finish := func() {
		fctx, fcancel := context.WithTimeout(context.Background(), flushTimeout)
		defer fcancel()
		r.Flush(fctx)
	}
	for {
		if err := r.Xfer(); err != nil {
			return nil, fmt.Errorf("transcribe: %w", err)
		}
		for ev := r.Get(); ev != nil; ev = r.Get() {
			switch ev := ev.(type) {
			case room.Joined:
				if joined {
					continue // one peer per exchange
				}
				peer, joined = ev.Peer, true
				out = parts(mine)
			case room.Message:
				m, ok := ev.Msg.(*msgPart)
				if !ok || !joined || ev.Peer != peer {
					continue
				}
				switch m.Kind {
				case KindGot:
					if int(m.N) != len(mine) {
						return nil, fmt.Errorf("%w: the peer got %d bytes of %d", ErrProtocol, m.N, len(mine))
					}
					acked = true
				case KindAbort:
					err := error(ErrRefused)
					if m.Reason == AbortTooLarge {
						err = fmt.Errorf("%w: %w", ErrRefused, &SizeError{Size: len(mine), Limit: int(m.N)})
					}
					return nil, err
				default:
					done, err := theirs.add(m.Part)
					if err != nil {
						if errors.Is(err, ErrBlobTooLarge) {
							out = append(out[:0], Part{Kind: KindAbort, Reason: AbortTooLarge, N: uint32(limit)})
							send()
							finish()
						}
						return nil, err
					}
					if done && !gotSent {
						out = append(out, Part{Kind: KindGot, N: uint32(len(theirs.blob))})
						gotSent = true
					}
				}
			case room.Left:
				if joined && ev.Peer == peer {
					return nil, fmt.Errorf("%w: %w", ErrPeerLeft, ev.Reason)
				}
			default:
				if other != nil {
					if err := other(ev, joined); err != nil {
						return nil, err
					}
				}
			}
		}
		if joined {
			if err := send(); err != nil {
				return nil, err
			}
			if acked && theirs.done() && len(out) == 0 {
				r.Xfer()
				finish()
				return theirs.blob, nil
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && !time.Now().Before(deadline) {
				if joined {
					return nil, fmt.Errorf("%w: the exchange with the peer did not finish", ErrTimeout)
				}
				return nil, fmt.Errorf("%w: no peer came", ErrTimeout)
			}
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}
