package room

import (
	"context"
	"fmt"

	"github.com/cablecar-go/cablecar/connector"
)

// Progress returns where the room's discovery stands, for a status line
// while waiting for peers (see connector.Progress: Line(10*time.Second)
// prints "looking for peers on eth0 (10.0.0.255), 0 heard for 12s" and,
// after 10 s with nobody, the likely reason). It never blocks on the
// network and may be called from any goroutine.
func (r *Room) Progress() connector.Progress {
	if r.bc == nil {
		return connector.Progress{}
	}
	return r.bc.Progress()
}

// aloneErr wraps err, when the room has no peer, with the reason
// discovery sees for it (connector.BroadcastConnector.NoPeerReason), for
// errors.Is.
func (r *Room) aloneErr(err error) error {
	if r.bc == nil || len(r.peers) > 0 {
		return err
	}
	if why := r.bc.NoPeerReason(); why != nil {
		return fmt.Errorf("%w: nobody found: %w", err, why)
	}
	return err
}

// Diagnose runs connector's doctor for the room's discovery, beside it
// (see connector.BroadcastConnector.Diagnose): why might nobody be found?
// A room without discovery (one that only dials or listens) gets an empty
// Report. The error is non-nil only when ctx has already ended.
func (r *Room) Diagnose(ctx context.Context) (*connector.Report, error) {
	if r.bc == nil {
		return &connector.Report{}, ctx.Err()
	}
	return r.bc.Diagnose(ctx)
}
