package room

import (
	"fmt"

	"github.com/cablecar-go/cablecar/message"
)

// JoinGroup makes this room a member of group g and announces it to every
// peer (now and as they join): messages published to g reach it from then
// on, and each peer that published to g before sends it the last message
// it published there. Joining a group twice does nothing. A bad name gives
// an error wrapping ErrGroupName.
func (r *Room) JoinGroup(g string) error {
	if r.isClose {
		return ErrClosed
	}
	if err := r.refuseCompat("JoinGroup"); err != nil {
		return err
	}
	if err := checkGroup(g); err != nil {
		return err
	}
	if _, ok := r.groups[g]; ok {
		return nil
	}
	r.groups[g] = struct{}{}
	for _, p := range r.peers {
		_ = p.m.Send(&ctrlJoin{groupField{g}})
	}
	return nil
}

// LeaveGroup ends this room's membership of g and announces it; a message
// published to g that was already under way when the peers learnt it is
// dropped on arrival. Leaving a group this room is not in does nothing.
func (r *Room) LeaveGroup(g string) error {
	if r.isClose {
		return ErrClosed
	}
	if err := r.refuseCompat("LeaveGroup"); err != nil {
		return err
	}
	if err := checkGroup(g); err != nil {
		return err
	}
	if _, ok := r.groups[g]; !ok {
		return nil
	}
	delete(r.groups, g)
	for _, p := range r.peers {
		_ = p.m.Send(&ctrlLeave{groupField{g}})
	}
	return nil
}

// Groups returns the groups this room is a member of.
func (r *Room) Groups() []string {
	gs := make([]string, 0, len(r.groups))
	for g := range r.groups {
		gs = append(gs, g)
	}
	return gs
}

// Members returns the peers that announced they are members of g (this
// room itself not included), in the order they joined the room.
func (r *Room) Members(g string) []PeerID {
	var ids []PeerID
	for _, p := range r.peers {
		if _, ok := p.groups[g]; ok {
			ids = append(ids, p.id)
		}
	}
	return ids
}

// Publish queues msg for every peer that is a member of group g (Get
// returns it there as a Message with Group g); this room need not be a
// member, and does not receive it itself. The room keeps msg as the
// group's last message (do not change it afterwards): a peer that joins g
// later is sent it. Errors as SendAll, and ErrGroupName for a bad name.
func (r *Room) Publish(g string, msg message.Message) error {
	if err := r.refuseCompat("Publish"); err != nil && !r.isClose {
		return err
	}
	if err := checkGroup(g); err != nil {
		return err
	}
	if err := r.sendGroup(g, msg); err != nil {
		if r.check(msg) != nil || r.isClose {
			return err
		}
		r.last[g] = msg
		return err
	}
	r.last[g] = msg
	return nil
}

// memberJoined records that p joined g and sends it the last message this
// room published to g.
func (r *Room) memberJoined(p *peer, g string) {
	if _, ok := p.groups[g]; ok {
		return
	}
	if len(p.groups) >= MaxGroups {
		p.fault = &reasonError{kind: ErrPeerProtocol, cause: fmt.Errorf("room: peer announced more than %d groups", MaxGroups)}
		r.faulty = true
		return
	}
	p.groups[g] = struct{}{}
	if last := r.last[g]; last != nil {
		_ = r.sendTo(p, g, last)
	}
}

var _ message.Message = (*ctrlJoin)(nil)
