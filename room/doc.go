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
// Stats gives each peer's figures (round trip, rates, queues), Discovery
// how it was found (LAN discovery with its paths, interface and beacon
// quality; a known address of Listen or Dial; a Transport, with the relay
// path); neither blocks nor allocates. Close says goodbye to every peer
// and waits for every goroutine the Room owns. See ExampleNew,
// ExampleRoom_Publish, ExampleRoom_Produce, ExampleRoom_Discovery and
// ExampleQueue.
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
// it and both ends decode with it. A game that sends small, frequent byte
// messages (positions) and larger structured ones (a scoreboard) to the
// same peers needs no second codec: it gives the Room the msgpack codec
// and makes its small types msgpack.RawMessage, byte types with an empty
// MsgpackRaw method. msgpack frames their own bytes (AppendPayload) as
// they are, behind a 2- or 3-byte header, and encodes the other types as
// msgpack, all on one stream and in the order sent:
//
//	type Pos struct{ X, Y float32 }
//	func (*Pos) MessageName() string { return "Pos" }
//	func (*Pos) ByteCode() byte      { return 0x10 }
//	func (*Pos) MsgpackRaw()         {}
//	// AppendPayload and DecodePayload as for the byte codec
//
//	c := msgpack.NewCodec(nil)
//	message.Register[Pos](c)
//	message.Register[Scoreboard](c) // a struct with a MsgpackID method
//	r, err := room.New(ctx, &room.Config{AppID: "mygame", Codec: c})
//
// Measured (BenchmarkRoomCodecs*: frames of 8 positions and one
// scoreboard of about 250 bytes, to one peer on loopback TCP, the
// receiver pumping on a goroutine of its own; -count 6 on a shared 2-core
// VM, median and range):
//
//	one msgpack Room, positions as msgpack  15.7 µs/frame (13.1–18.1), 490 wire bytes
//	one msgpack Room, positions raw         10.8 µs/frame (10.4–11.9), 386 wire bytes
//	two Rooms, byte + msgpack (two AppIDs)  18.6 µs/frame (15.4–20.7), 386 wire bytes
//
// (26 allocations and 1.2 KB per frame in all three, both ends counted.)
//
// (Wire bytes: what the senders wrote per frame, pings included.) Raw
// positions cost the byte codec's wire bytes, in one write per frame. Two
// Rooms under two AppIDs ("mygame" with the byte codec, "mygame.bulk"
// with msgpack) write as many bytes but pay a second connection, hello,
// Messenger and write per frame, another 23–26 KB per idle peer at each
// end (RoomIdleMemory), and lose the order between the two kinds of
// message; they remain the way for a peer that only speaks the byte
// codec. See ExampleConfig_codecs. A Room does not carry
// two codecs on one stream: that would need a framing above both, in the
// Messenger, and msgpack's raw frames already give its effect.
//
// # Wire
//
// The room's control messages travel in the room's own codec, among the
// application's messages on each peer's stream; New registers them with
// the codec (the byte codes 0xF0 to 0xF7 and 0xFE, the same msgpack ids, and the
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
//	0xFE  cablecar.room.secret 32 bytes                  the room secret, from an inviting host to a peer it admitted with a code (see "Security")
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
// # Security
//
// Without a secret a room trusts the LAN: anyone who knows the AppID can
// join, read and inject, and forged beacons steer who connects to whom.
// Three modes close that (package secure: CPace, draft-irtf-cfrg-cpace-21,
// then ChaCha20-Poly1305 records; see package messenger, "Security"):
//
//   - Password (Config.Password, tlspyo's shared password): every
//     connection of the room runs the PAKE with it; a peer without it, or
//     with another, is a Rejected event (ErrWrongCode, or
//     messenger.ErrBadHello for a peer with no secret) and never a peer.
//     Works with discovery and with Listen/Dial.
//   - Invite (Config.Invite, the host of a join code): New listens to the
//     beacons for 1.5 Intervals (a host beacons every Interval ± 10 %, so
//     every running host is heard), picks the lowest nameplate not offered
//     by another host of the AppID (joincode.LowestFree), and makes a code
//     (Room.Code, and an Invited event). Beacons and mDNS TXT carry the
//     nameplate only: never a word, never a hash of the words. The host
//     runs the PAKE under the code with a peer whose identify hello says it
//     joins that nameplate, one such handshake at a time. Each code allows
//     one guess and admits one peer: the host retires it and makes the
//     next (an Invited event) when a peer got in (ErrCodeUsed), at once
//     when a handshake gave a peer its guess and failed (ErrWrongCode:
//     "someone tried a wrong code"), and after Config.CodeExpiry
//     (ErrCodeExpired). The nameplate stays; the words change. An
//     attacker's chance is thus at most 2^-16 per invitation with two
//     words, and every failed try is an event. Two hosts on one nameplate
//     (started in the same moment, or a beacon lost) settle it when they
//     hear each other: the host with the higher peer id moves to the
//     lowest free nameplate with a new code (an Invited event wrapping
//     ErrNameplateTaken), the other keeps its code. A code the moving host
//     had handed out is wrong from then on (its joiner reaches the other
//     host and fails with ErrWrongCode, which retires that host's code
//     too): show the user the new one.
//   - Code (Config.Code, the joiner): the room dials only the host that
//     offers the code's nameplate, at once, accepts no connection while it
//     joins, and runs the PAKE with the code's words. A wrong (or used, or
//     expired) code fails on both sides at key confirmation: a Rejected
//     event here wrapping ErrWrongCode, whose message says to get a new
//     code, and the room stops looking (it does not try the code again);
//     a try that gave no guess (the host was busy with another joiner's
//     handshake, the hello failed) is a Rejected event and is tried again
//     on the host's next beacon; no host within Config.JoinTimeout is a
//     Rejected event wrapping ErrNoHost.
//
// A room of more than two with a code: the host draws a random 32-byte
// room secret at New and sends it, over the sealed channel, to each peer
// it admits with a code (control message 0xFE); that peer then takes
// connections from and dials the room's other members in password mode
// with the room secret, as the host does with every connection that is
// not a join under the code. So one code per joiner, and every pair of
// members has its own sealed channel; a member whose connection to the
// host broke before the secret arrived needs a new code.
//
// What discovery can no longer do in a secured room (each attack is a
// test: TestAttack* with a forging stranger on its own network namespace
// beside the victims', its forgery real subnet broadcast there, and raw
// clients on loopback; TestNetnsJoinCode across namespaces): a forged goodbye drops nobody (the connector takes
// it as a hint; a peer leaves by its goodbye inside the sealed channel,
// its connection's end, or the pings: ErrPeerTimeout); forged beacons do
// not keep a frozen peer in (liveness is the sealed channel's pings); a
// beacon claiming a connected peer's id with a stranger's port makes
// nobody dial the stranger, and a connection claiming it is refused while
// the first is up (after that, the stranger fails the PAKE: the peer ids
// are bound into it); the first stranger to answer a OneToOne room does not
// take its slot (discovery ends when a peer proved the secret); a man in
// the middle running its own PAKE with a guessed code fails, and the host
// retires the code.
//
// What an attacker on the LAN can still do without the code or password:
// deny service, within the connector's limits ("Limits" and "Secured" in
// package connector: peer-table and connection bounds, identify and dial
// rates, hellos rate-limited per source address, one code handshake at a
// time bounded by Config.HelloTimeout): flood beacons, hold connections in
// their hello, make a joiner's dial fail, or spend the host's code with a
// wrong guess (which the host sees as an Invited event, and renews), or
// make a host move its nameplate with a forged beacon offering it under a
// lower peer id (an Invited event with ErrNameplateTaken). It
// cannot read, inject, impersonate a member, or drop one. Display names
// (Joined.Name) and beacon metadata are self-declared: the PAKE proves the
// code or password, not a name. Rooms of one AppID with different
// passwords (or two games with codes) on one LAN try each other's
// handshakes and refuse each other (Rejected events); give each game its
// own AppID. Compat mode (cable_car peers) has no security: the
// messenger refuses a Secret with Compat (messenger.ErrCompatSecret).
//
// From a typed code to an open secure channel on loopback, with the
// default 1 s beacon interval (BenchmarkJoinCode, 2-core VM shared with
// other jobs, 3 runs of 30): median 3.5–4.5 ms, mean 5.8–18 ms, largest
// 47–156 ms; the plain floor (BenchmarkJoinPlainFloor, no security) median
// 3.0–6.6 ms. Joiners back to back wait out the host's early-beacon
// spacing (up to 100 ms): median 98–100 ms, largest 119–902 ms, within one
// interval + 50 ms.
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
// # Compat mode
//
// Config.Compat makes a Room talk to peers of the Python
// cable_car 1.0.1 (and to cablecar programs in their -compat mode), whose
// stream carries the application's messages and nothing else:
//
//   - discovery is cable_car's (connector.BroadcastConfig.Compat: the
//     9-byte beacon, its ports 8222/8223 by default) and each peer's
//     Messenger runs in compat mode (messenger.Options.Compat: no hello);
//   - the room sends none of its control messages: no pings, no goodbye,
//     no group announcements, and does not register them with the codec;
//   - a peer is never dropped for silence (a cable_car peer sends nothing
//     while it has nothing to say): it leaves when its connection ends or
//     breaks, or, with discovery, when the connector drops it;
//   - a peer cannot say goodbye, so a clean leave looks like a crash:
//     Left.Reason is ErrPeerReset (the end of the stream), never
//     ErrPeerLeft;
//   - cable_car peers have no id: each connection gets a PeerID of its
//     own, drawn by this room (1, 2, 3, ...), which means nothing to the
//     peer; a peer that connects again is a new PeerID. Joined.Addr is its
//     address (cable_car keys peers by IP) and Joined.Name is "";
//   - groups and work queues need control messages: JoinGroup,
//     LeaveGroup, Publish, Produce and Notify return an error wrapping
//     ErrCompat, and do nothing.
//
// Send, SendAll, Xfer, Get, Recv, Flush, Shutdown and Close work as in
// native mode.
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
