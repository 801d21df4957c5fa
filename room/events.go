package room

import "github.com/cablecar-go/cablecar/message"

// PeerID identifies a peer: the id of its Room, the same in its beacons
// (connector.PeerID) and in its hello (messenger.Hello.PeerID). It is drawn
// at random by New, so a restarted program is a new peer.
type PeerID uint64

// Event is what Get returns: a Message, Item, Joined, Left or Rejected.
type Event interface{ event() }

// Message is a message from a peer. Group is the group it was published
// to (Publish), or "" when it was sent to this room alone (Send, SendAll).
type Message struct {
	Peer  PeerID
	Group string
	Msg   message.Message
}

// Item is an item of a shared work queue (Produce) that this room asked
// for (Notify): Peer produced it; no other room gets it.
type Item struct {
	Peer  PeerID
	Group string
	Msg   message.Message
}

// Joined: a peer entered the room; its Messenger is ready, Send reaches it.
type Joined struct {
	Peer PeerID
	Name string // its display name in discovery; "" with known addresses
	Addr string // its address
}

// Left: a peer left the room. Reason wraps ErrPeerLeft (a clean leave),
// ErrPeerTimeout, ErrPeerReset or ErrPeerProtocol, and the cause. Every
// message it sent before it left was returned by Get before this event.
type Left struct {
	Peer   PeerID
	Reason error
}

// Rejected: a connection never became a peer. Reason wraps ErrHello or
// ErrDial, and the cause.
type Rejected struct {
	Addr   string
	Reason error
}

func (Message) event()  {}
func (Item) event()     {}
func (Joined) event()   {}
func (Left) event()     {}
func (Rejected) event() {}
