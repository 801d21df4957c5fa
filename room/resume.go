package room

import (
	"errors"
	"fmt"
	"slices"
)

// ErrNameplateTaken: the nameplate of Config.InviteCode is offered by
// another host on the LAN (New fails with it).
var ErrNameplateTaken = errors.New("room: the nameplate of Config.InviteCode is offered by another host")

// resumeInvite is startInvite for Config.InviteCode: its nameplate, if no
// other host offers it, and the code itself as the first invitation.
func (r *Room) resumeInvite() error {
	code := r.cfg.InviteCode
	np := code.Nameplate()
	if slices.Contains(r.bc.Nameplates(), np) {
		return fmt.Errorf("%w: nameplate %d", ErrNameplateTaken, np)
	}
	if err := r.bc.SetNameplate(np); err != nil {
		return fmt.Errorf("room: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inviteLocked(code, nil)
	return nil
}
