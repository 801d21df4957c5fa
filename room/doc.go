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
//		case room.Item:    // a work item this room asked for (Notify)
//		case room.Left:    // ev.Reason: errors.Is ErrPeerLeft, ErrPeerTimeout, ...
//		case room.Rejected: // a connection whose hello failed
//		}
//	}
//	r.SendAll(msg)                  // or Send(peer, msg), Publish(group, msg)
//	r.Xfer()                        // what this frame sent leaves now
//
// Programs without a game loop call Recv(ctx), which waits for the next
// event, and Flush(ctx), which waits until every peer's queue is written.
// Recv does not poll: between two Xfers it sleeps until a peer's
// Messenger signals that it has something (messenger.Messenger.Notify).
// Stats gives each peer's figures (round trip, rates, queues). Close says goodbye to every peer and waits for every
// goroutine the Room owns. See ExampleNew, ExampleRoom_Publish,
// ExampleRoom_Produce and ExampleQueue.
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
// whose hello does not give the id discovery announced is refused. With
// discovery, a peer the room dropped (a timeout, a protocol error) that is
// still beaconing is connected again by the connector, and joins again
// after a new hello.
//
// # Why a peer left
//
// Left.Reason wraps one of:
//
//   - ErrPeerLeft: a clean leave. The peer's Close sent a goodbye (the
//     room's bye message) before closing, or its connector sent a goodbye
//     beacon.
//   - ErrPeerTimeout: nothing heard for Config.PeerTimeout. Each peer's
//     Messenger pings it every Interval (its ping/pong control frames,
//     with Options.PingInterval = Interval and PeerTimeout = PeerTimeout),
//     so a frozen peer (SIGSTOP, a cut cable) is noticed with known
//     addresses too, and whether or not discovery still runs; with
//     discovery the connector's beacons and TCP keepalive watch as well.
//     The same pings give each peer's round trip (Room.Stats). A codec
//     other than the built-in byte, JSON and msgpack ones has no pings,
//     and then no timeout but the connector's and TCP's.
//   - ErrPeerReset: the connection ended without a goodbye: a reset, or the
//     end of the stream with no goodbye before it. A process killed with
//     SIGKILL closes its sockets cleanly (its peers read the end of the
//     stream), so a goodbye of our own is the only way to tell a crash
//     from a leave.
//   - ErrPeerProtocol: the peer sent bytes that cannot be framed (a fatal
//     *message.DecodeError), or announced more than MaxGroups groups or
//     work queues.
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
// # Shared work queues
//
// Produce(g, msg) puts an item on this room's work queue g; a room asks
// for items with Notify(g, n), which asks every producer then in the room
// for n more; each producer hands its items out oldest first, taking the
// consumers that asked in turn, and each item goes to one of them (an
// Item event there). The queue is the producer's own (there is no
// server): with several producers a consumer that asked for n may get n
// from each. A producer keeps an item until its consumer acknowledges it,
// which the consumer's room does when Get returns the item (the ack leaves
// with the next Xfer). What happens when someone leaves:
//
//   - A consumer leaves (cleanly or not): the items sent to it and not
//     acknowledged go back to the front of the queue, in order, and are
//     handed to the other consumers that asked. An item it had taken (Get
//     returned it) whose ack had not left when it died (it crashed between
//     Get and the next Xfer) is handed out again too: the one case where an
//     item reaches two rooms. With a clean Close the acks leave first.
//   - A producer leaves: its queue leaves with it; items already sent to a
//     consumer are still delivered there, in order, before the Left event.
//
// Produce refuses an item beyond Config.MaxWork queued or in flight
// (ErrWorkFull); a consumer's credit per queue is at most MaxNotify.
//
// Queue[T] is the local end: a bounded FIFO a game files what Get returns
// in and takes from as it likes: the oldest n (Pop), only the newest,
// dropping the rest (Newest, for position updates), or everything (All).
//
// # One codec per Room
//
// A Room has one codec because a Messenger carries one: the hello names
// it and both ends decode with it. Small frequent messages (positions)
// belong in the byte codec, larger structured ones in msgpack; the
// Messenger's figures (messenger doc: about 54 ns per byte message and
// 570 ns per msgpack message on loopback) say what a single msgpack codec
// for everything would cost. A game that wants both runs two Rooms with two
// AppIDs ("mygame" with the byte codec, "mygame.bulk" with msgpack): two
// connections per peer, each with its own codec, limits and Messenger.
// Carrying two codecs on one stream would need a framing above both, in
// the Messenger; this package does not add one.
//
// # Wire
//
// The room's control messages travel in the room's own codec, among the
// application's messages on each peer's stream; New registers them with
// the codec (the byte codes 0xF0 to 0xF7, the same msgpack ids, and the
// JSON names "cablecar.room.*" are reserved; New fails with
// ErrInvalidConfig when the application took one):
//
//	code  name                 payload      meaning
//	0xF0  cablecar.room.join   group name   the sender joined the group
//	0xF1  cablecar.room.leave  group name   the sender left the group
//	0xF2  cablecar.room.tag    group name   the next message is published to the group ("" : none)
//	0xF3  cablecar.room.bye    empty        the sender is closing: a clean leave
//	0xF4  cablecar.room.notify N (4 bytes), group name   the sender asks for N more items of the queue
//	0xF5  cablecar.room.item   id (8 bytes), group name  the next message is item id of the queue
//	0xF6  cablecar.room.ack    id (8 bytes)              the sender received item id
//	0xF7  cablecar.room.ping   empty                     reserved: sent by earlier versions every Interval, ignored
//
// Integers are big-endian. A control message that does not decode (a
// name too long, a short payload) is skipped like any bad frame and
// counted in the peer's messenger.Stats; it does not drop the peer.
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
//
// # Goroutines
//
// A Room runs the goroutines of its connector (or its DirectServer's
// Serve and one per Dial address), one per hello in progress, and those of
// each peer's Messenger; Close waits for all of them. The methods belong
// to one goroutine at a time (the game loop's), Close included; ID and
// Addr may be called from any goroutine.
//
// # Speed
//
// go test -run '^$' -bench . -benchmem -count=3 ./room, on a 2-core VM
// shared with other jobs whose load changed from run to run (ranges over
// the runs; each line's floor from the same runs):
//
//	RoomSendAll1      3.0–5.5 M msgs/s delivered  (one peer, 64-byte frames)
//	RoomSendAll8      2.4–8.4 M msgs/s delivered  (8 peers: 0.53–2.6 x RoomSendAll1 of the same run)
//	RoomXferIdle16    153–192 ns, 0 allocs        (MessengerXferIdle 7.4–10.5 ns; 16 x it + 100 ns is 219–268 ns)
//	RoomStats         24–31 ns, 0 allocs          (one peer's messenger.Stats)
//	RoomIdleMemory    19–21 KB per end of an idle peer (38–42 KB per peer, both ends in one process)
//
// (RoomXferIdle16 and RoomStats from 6 runs at load averages of 3 to 5.)
// An idle Xfer is mostly the Messengers' own: each makes one read(2) in
// 256 idle calls (see package messenger), which its floor does too. The
// room loops over a slice of the Messengers, whose idle fields share a
// cache line or two, so 16 peers cost about 16 bare Messengers. Earlier,
// before those two changes: 297–490 ns against 15–21 ns.
//
// Pings: each peer's Messenger sends an 11-byte ping and answers the
// peer's with a 27-byte pong every Interval: 38 bytes per second each way
// per peer at the default 1 s (measured: 36.7 bytes per interval out at
// 100 ms, 29 pings in 3 s).
//
// The receiving side allocates once per message: the Message event (and
// the message, unless its codec takes it from message.Blocks).
package room
