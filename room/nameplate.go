package room

import (
	"context"
	"fmt"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/joincode"
)

// An inviting host's nameplate: picked at New after a listen
// (startInvite), and moved when another host turns out to offer it too
// (settleNameplateLocked).

// inviteListenPct is how long an inviting host listens for the nameplates
// in use before it picks one, in percent of Interval. The connector's
// sender draws each gap between two beacons of a host uniformly from
// Interval ± 10 % (broadcast_send.go), so the longest gap is 1.1
// Intervals: a listen of 150 % hears every running host at least once,
// with 0.4 Interval to spare for a loaded machine (a late timer, a
// datagram waiting for the listener). Our first beacon also makes every
// host that hears it answer with an early one, so the listen usually ends
// with all of them heard long before. What it still misses (two hosts
// started in the same moment, a lost beacon) settleNameplateLocked
// settles once inviting.
const inviteListenPct = 150

// inviteListen is the listen of startInvite for a beacon interval.
func inviteListen(interval time.Duration) time.Duration {
	return interval * inviteListenPct / 100
}

// startInvite picks the inviting host's nameplate, the lowest one not
// offered in the beacons of the application heard during inviteListen
// (bounded by ctx), and makes the first code.
func (r *Room) startInvite(ctx context.Context) error {
	if !r.cfg.noListen {
		t := time.NewTimer(inviteListen(r.cfg.Interval))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return fmt.Errorf("room: listening for nameplates in use: %w", ctx.Err())
		}
	}
	if r.cfg.InviteCode.Len() != 0 {
		return r.resumeInvite()
	}
	np, err := joincode.LowestFree(r.heardNameplates())
	if err != nil {
		return fmt.Errorf("room: %w", err)
	}
	code, err := joincode.Generate(np, r.cfg.CodeWords)
	if err != nil {
		return fmt.Errorf("room: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.offerLocked(code, nil); err != nil {
		return err
	}
	r.settleNameplateLocked() // a host heard meanwhile, whose OnNameplate came before our code
	return nil
}

// heardNameplates are the nameplates other hosts offer (none with the
// test hook noListen).
func (r *Room) heardNameplates() []int {
	if r.cfg.noListen {
		return nil
	}
	return r.bc.Nameplates()
}

// offerLocked offers code's nameplate in the beacons and makes code the
// current invitation (an Invited event with reason).
func (r *Room) offerLocked(code joincode.Code, reason error) error {
	if err := r.bc.SetNameplate(code.Nameplate()); err != nil {
		return fmt.Errorf("room: %w", err)
	}
	r.inviteLocked(code, reason)
	return nil
}

// onNameplate is the connector's OnNameplate: a peer's beacon offers
// nameplate n now.
func (r *Room) onNameplate(_ connector.PeerID, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sec.code.Nameplate() == n {
		r.settleNameplateLocked()
	}
}

// settleNameplateLocked settles a clash of nameplates: another host offers
// this inviting host's nameplate (both picked it in the same moment, or
// one missed the other's beacons). The host with the higher peer id
// yields: it moves to the lowest nameplate nobody offers, with a new code
// (an Invited event wrapping ErrNameplateTaken), and its old code, if
// handed out already, is wrong now; the host with the lower id keeps its
// code. Each side decides from the peer ids alone, so exactly one moves.
// The table is read now, not the beacon that called (a host that moved
// since is no clash). A host that cannot move (every nameplate is
// offered) keeps its code.
func (r *Room) settleNameplateLocked() {
	s := &r.sec
	if s.mode != secHost || s.code.Len() == 0 || r.closed {
		return
	}
	np := s.code.Nameplate()
	others := r.bc.NameplatePeers(np) // sorted
	if len(others) == 0 || others[0] > connector.PeerID(r.id) {
		return // nobody else, or we keep it
	}
	free, err := joincode.LowestFree(r.bc.Nameplates())
	if err != nil {
		r.cfg.Logger.Debug("room: nameplate clash, no free nameplate to move to", "nameplate", np, "err", err)
		return
	}
	code, err := joincode.Generate(free, r.cfg.CodeWords)
	if err != nil {
		return
	}
	reason := fmt.Errorf("%w: host %v offers nameplate %d too and keeps it (the lower peer id); this host moved to %d", ErrNameplateTaken, others[0], np, free)
	if err := r.offerLocked(code, reason); err != nil {
		r.cfg.Logger.Debug("room: nameplate clash", "err", err)
	}
}
