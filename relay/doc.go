// Package relay runs a cablecar Room across networks through a NATS
// server (github.com/nats-io/nats.go), for players who share no LAN.
//
// A *Relay is a room.Transport: give it in room.Config.Transports, alone
// (relay only) or beside room.LAN (both). The Room then runs on each relay
// stream exactly what it runs on a LAN connection: the hello, the secure
// handshake and sealed records when it has a secret (so the NATS server
// sees subject names, presence beacons, frame headers and ciphertext),
// pings, groups with their last message for late joiners, and work queues
// with exactly-once items. A room.Config.Password is then end to end:
// TestRoomPasswordEndToEnd records every message the server routes and
// finds neither the messages nor the group and queue names in it, and a
// room with another password is refused (room.ErrWrongCode). A join code
// (Invite, Code) is proved over the LAN only, since its nameplate travels
// in beacons: room.New refuses one with Transports that lack room.LAN.
// The replica package runs over it unchanged (TestReplicaOverRelay).
// The server is a user's own: run one with
//
//	go run github.com/nats-io/nats-server/v2@v2.15.2
//
// and point every peer at it (Config.URL, default nats://127.0.0.1:4222).
//
// Two programs use it: cpumon (go run ./cpumon -relay nats://HOST:4222)
// and examples/chat (go run ./examples/chat -relay nats://HOST:4222), each
// a module of its own that links this one, so that the library's module
// does not depend on NATS. Package natsflag is their -token, -nkey and
// -ca flags and the Relay made from them, for any program with -relay.
//
// # Presence
//
// Each relay publishes a beacon (its peer id, a random epoch per Start and
// its name) on cablecar.<app>.presence every room Interval, and at once
// when it sees a new peer. A peer not heard for the room's PeerTimeout is
// dropped: its streams fail with an error wrapping ErrPeerGone that is a
// timeout, so the Room reports it Left with room.ErrPeerTimeout. A Relay's
// Close publishes a goodbye; a peer whose epoch changes has restarted and
// its old streams are reset.
//
// # Streams
//
// The relay of the lower peer id opens one stream (a Conn) to each peer
// it sees, once per sighting: a peer that expired and comes back, or
// restarts, gets a new one. Stream frames go to the receiver's subject
// cablecar.<app>.peer.<id> (see subject.go and wire.go for the layout).
// Each frame has a sequence number; the receiver takes only the next one
// in order and acknowledges what it received and what its Messenger read;
// the sender keeps every unacknowledged frame and sends it again after
// Config.Retransmit, after a gap the receiver reports, and at once after
// nats.go reconnects to a server. So within a stream no byte is lost,
// duplicated or reordered across lost NATS messages, slow-consumer drops
// and server restarts or cluster fail-over, as long as the peer's
// presence does not expire meanwhile. Config.Window bounds the unread
// bytes of a stream: the sender's Write blocks beyond it (back-pressure
// reaches the Messenger, whose Send then returns ErrQueueFull), and no
// buffer grows without bound.
//
// # Max payload
//
// A stream is a byte stream, so frames larger than the server's
// max_payload (1 MiB by default) are split: one NATS message carries at
// most min(max_payload - 25, 64 KiB, Window/4) stream bytes. No message
// size is refused by the relay; the Messenger's own limits
// (messenger.Options.MaxReadBuffer, message.ErrTooLarge) apply as on TCP.
//
// # Groups and work queues
//
// The Room's groups, last messages and work queues run over the streams,
// as on the LAN, rather than on NATS subjects or a JetStream work queue:
// the messages are then sealed like every other (a NATS subject per group
// would show the server each group's traffic), a peer's view of a group is
// the same whichever transport reaches it, and the exactly-once delivery
// of the Room's queue (items acknowledged by the consumer, requeued when
// it leaves) holds unchanged; TestRoomGroupsAndWorkOverRelay checks it.
//
// # A peer reached two ways
//
// With room.LAN and a Relay, a peer on the same LAN is reached twice. It
// is one peer: the Room keeps the connection whose hello completes first
// and refuses the other (a Rejected event); the relay does not open that
// peer's stream again until its presence expires or it restarts.
// Config.OpenDelay delays the relay stream so that the LAN wins. The two
// rooms choose independently: when each keeps a different connection (a
// crossed choice, rare: both hellos must complete within a round trip),
// each then loses the one it kept, the peer leaves, and LAN discovery,
// which redials a peer that still beacons, joins it again. With Listen
// and Dial (no discovery) nothing redials: give the relay alone there.
//
// # Faults and figures
//
// nats.go reconnects on its own (forever, every Config.ReconnectWait) and
// fails over between the servers of Config.URL and those a cluster
// announces. Stats counts reconnects, resends, duplicates and the
// messages NATS dropped for a slow consumer; each slow-consumer event is
// also handed to Config.OnError as an error wrapping ErrSlowConsumer.
package relay
