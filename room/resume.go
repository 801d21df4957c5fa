package room

import (
	"fmt"
	"slices"
)

// resumeInvite is startInvite for Config.InviteCode: its nameplate, if no
// other host offers it, and the code itself as the first invitation.
func (r *Room) resumeInvite() error {
	code := r.cfg.InviteCode
	np := code.Nameplate()
	if slices.Contains(r.heardNameplates(), np) {
		return fmt.Errorf("%w: nameplate %d (Config.InviteCode)", ErrNameplateTaken, np)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.offerLocked(code, nil); err != nil {
		return err
	}
	r.settleNameplateLocked()
	return nil
}
