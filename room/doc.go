// Package room is the object a game starts from: one Room holds every
// peer of a game, found on the LAN (a connector.BroadcastConnector) or at
// known addresses (connector.DirectServer / DirectClient), with one
// Messenger per peer, one pump for all of them, and groups.
//
// Each frame a game calls, in this order:
//
//	r.Xfer()                        // pump every peer; never blocks
//	for ev := r.Get(); ev != nil; ev = r.Get() {
//		switch ev := ev.(type) {
//		case room.Joined:  // ev.Peer is in the room: Send reaches it
//		case room.Message: // ev.Msg from ev.Peer (ev.Group if published)
//		case room.Left:    // ev.Reason: errors.Is ErrPeerLeft, ErrPeerTimeout, ...
//		case room.Rejected: // a connection whose hello failed
//		}
//	}
//	r.SendAll(msg)                  // or Send(peer, msg), Publish(group, msg)
//	r.Xfer()                        // what this frame sent leaves now
//
// Programs without a game loop call Recv(ctx), which waits for the next
// event. Close says goodbye to every peer and waits for every goroutine
// the Room owns. See ExampleNew.
//
// # Peers
//
// New starts discovery (or listens on Config.Listen and dials
// Config.Dial). Each new connection runs its Messenger's hello on a
// goroutine of its own, owned by the Room and bounded by
// Config.HelloTimeout, so the game loop never waits for a peer; the peer
// appears (Joined) in the Xfer after its Messenger is ready. A connection
// whose hello fails (another AppID or codec, not a cablecar peer, silence)
// is a Rejected event and never touches the game loop otherwise. One
// process has one peer id: the connector's (its beacons) is the one its
// Messengers put in their hello (messenger.Options.PeerID), and a peer
// whose hello does not give the id discovery announced is refused.
//
// # Why a peer left
//
// Left.Reason wraps one of:
//
//   - ErrPeerLeft: a clean leave. The peer's Close sent a goodbye (the
//     room's bye message) before closing, or its connector sent a goodbye
//     beacon.
//   - ErrPeerTimeout: nothing heard for the peer timeout.
//   - ErrPeerReset: the connection ended without a goodbye: a reset, or the
//     end of the stream with no goodbye before it. A process killed with
//     SIGKILL closes its sockets cleanly (its peers read the end of the
//     stream), so a goodbye of our own is the only way to tell a crash
//     from a leave.
//   - ErrPeerProtocol: the peer sent bytes that cannot be framed (a fatal
//     *message.DecodeError).
//
// Frames the codec can skip (an unknown type) are skipped and counted by
// the peer's Messenger, as always; they do not drop the peer.
//
// # Groups
//
// JoinGroup(g) and LeaveGroup(g) are announced to every peer, and to each
// peer that joins later; Members(g) lists the peers that announced g.
// Publish(g, msg) sends msg to every member of g, where Get returns it as
// a Message with Group g. There is no server: each room keeps the last
// message it published to each group and sends it to a peer as soon as
// that peer announces it joined the group, so a late member receives the
// last message of every publisher of each of its groups (with one
// publisher per group, as in tlspyo's broadcast, the group's last
// message). A message published to a group this room has left by the time
// it arrives is dropped.
//
// # Wire
//
// The room's control messages travel in the room's own codec, among the
// application's messages on each peer's stream; New registers them with
// the codec (the byte codes 0xF0 to 0xF3, the same msgpack ids, and the
// JSON names "cablecar.room.join", ".leave", ".tag" and ".bye" are
// reserved):
//
//	code  name                 payload      meaning
//	0xF0  cablecar.room.join   group name   the sender joined the group
//	0xF1  cablecar.room.leave  group name   the sender left the group
//	0xF2  cablecar.room.tag    group name   the next message is published to the group ("" : none)
//	0xF3  cablecar.room.bye    empty        the sender is closing: a clean leave
//
// A group name is 1..MaxGroupName (64) bytes of UTF-8; in the byte codec
// the payload is the name itself (the frame's length delimits it). A
// published message is a tag followed by the message as the application
// sent it, not a message wrapped in another: the codec's own limits (253
// payload bytes in the byte codec) are the application's, unchanged, the
// message is encoded once, and any codec carries it. A framing of the
// room's own beside the codec's would need the Messenger to share its
// stream, which it does not; the codec is the one framing both ends
// already agree on (the hello checks its name). A tag left without its
// message (the write queue filled up between the two) is cancelled by an
// empty tag before the next message to that peer.
//
// # Limits and errors
//
// A bad group name gives an error wrapping ErrGroupName; a message the
// codec cannot encode gives the codec's *message.EncodeError
// (errors.Is message.ErrTooLarge for a byte payload over 253 bytes),
// checked once before anything is queued. A peer's queue that is full
// gives messenger.ErrQueueFull for that peer; the other peers still get
// the message. Buffers per peer are bounded by Config.MaxWriteQueue and
// MaxReadBuffer (see package messenger).
package room
