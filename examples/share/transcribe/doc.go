// Package transcribe is wormhole-sync's "transcribe" mode on a cablecar
// room, with no server: an initiator offers a small blob and gets a join
// code ("7-guitarist-revenge"); a receiver who types the code gets the
// initiator's blob and gives its own. It is the core of the share example
// (go run ./examples/share), and small enough to copy.
//
//	in, err := transcribe.Offer(ctx, cfg, blob) // a room that hosts an invitation
//	show(in.Code().Reveal())                    // to the user: read aloud, typed on the other side
//	theirs, err := in.Wait(ctx)                 // the receiver's blob
//	in.Close()
//
//	theirs, err := transcribe.Receive(ctx, cfg, typedCode, mine) // the other side
//
// # What protects the exchange
//
// The initiator's room hosts an invitation (room.Config.Invite): its
// beacons carry the code's nameplate only, never a word. The receiver's
// room (room.Config.Code) connects only to the host that advertises that
// nameplate, and the two Messengers run CPace with the code's words: a
// wrong code fails on both sides with secure.ErrWrongCode, within one
// round trip, and uses the code up (the initiator's Wait returns the
// error; offer again for a new code). After the PAKE every byte is sealed.
// An attacker on the LAN without the code can stop an exchange (one wrong
// guess ends it), with one chance in 65536 per try of guessing a two-word
// code, and learns nothing else; it cannot read or change the blobs.
//
// # Timeout and polling
//
// Both sides pump their room every Config.Poll (10 ms) and give up after
// Config.Timeout: the initiator when its code expires (10 min by
// default: ErrCodeExpired), the receiver when it has found no initiator
// with the nameplate or not finished (1 min: ErrTimeout). The initiator's
// beacons go out every Config.Interval (500 ms): a receiver connects
// within about one interval.
//
// # Saving the initiator
//
// State returns what an initiator needs to go on after a restart
// (wormhole-sync's serialize): the code, its expiry, the app id and the
// blob. SaveState writes it privately (mode 0600, atomically) and
// LoadState refuses a file others can read (ErrStatePerm); Resume
// (from_serialized) hosts the same code again until it expires, so a
// receiver given the code before the restart still gets through.
//
// # Protocol
//
// Each side sends its blob as a size part and data parts of up to
// MaxChunk bytes, in order, and acknowledges the peer's whole blob; a side
// is done when it has the peer's blob and the peer's acknowledgement (see
// Part and ParsePart). A blob is at most Config.MaxBlob (64 KiB, at most
// MaxBlobLimit, 1 MiB); a larger one of this side's is refused before
// anything is sent (*SizeError), and a peer that announces a larger one
// is told (its side fails with ErrRefused) and refused (*SizeError).
package transcribe
