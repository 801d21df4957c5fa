// Package secure is cablecar's session security: a password-authenticated
// key exchange, CPace, with explicit key confirmation, and records sealed
// with ChaCha20-Poly1305. It does no I/O: the Messenger moves the bytes.
//
// # Handshake
//
// CPace is implemented after DraftVersion (draft-irtf-cfrg-cpace-21), suite
// CPACE-X25519-SHA512, in the initiator-responder setting. The draft's
// test vectors for that suite (generator string, generator, Ya, Yb, K,
// ISK, and the low-order points that must abort) are in the tests.
//
// A Handshake is a state machine over []byte messages (Start, Read, Keys;
// MessageLen frames them in a stream). Four short messages, two round
// trips: a hello with the initiator's nonce and versions; the responder's
// nonce, chosen version and share Yb; the initiator's share Ya with its
// confirmation tag Ta; the responder's tag Tb. What goes in:
//
//   - PRS (the password): Config.Secret, the words of a join code or a
//     shared password. Never sent in any form.
//   - sid: both sides' fresh 16-byte nonces, so no run repeats.
//   - CI (never sent): a label, DraftVersion and Suite, the app id, the
//     nameplate, the initiator's then the responder's peer id, and
//     Config.Context (e.g. the hellos that came before). The two ids must
//     differ, so that a party's messages reflected onto its own other
//     role (the draft's loopback attack) fail.
//   - ADa / ADb: the initiator's version list and the chosen version, so a
//     downgrade fails.
//
// A peer's share that is a low-order point (or the identity) aborts the
// handshake (ErrInvalidPoint), as the draft mandates. Key confirmation
// follows the draft's recipe (mac_key = SHA-512("CPaceMac" || sid || ISK),
// HMAC-SHA512 over lv_cat(Y, AD) of each side's own message). A wrong code
// or password — or any disagreement on CI, sid or AD — is found within one
// round trip on both sides as ErrWrongCode, whose message tells the user
// to get a new code. Everything used afterwards is derived from ISK with
// HKDF-SHA512 (salt sid, labels naming the draft and suite): one key per
// direction and the short authentication string (Keys.SAS, two words from
// package joincode's list). K is never exposed.
//
// # Records
//
// After the handshake every byte travels in records, at most
// MaxRecordPayload (16 KiB) of payload each: a 2-byte length, then the
// ChaCha20-Poly1305 ciphertext and tag. The nonce is an implicit 64-bit
// counter per direction, never sent; the header is the additional data.
// Sealer.Seal and Opener.Open work in place on the caller's buffers and
// allocate nothing. The Keys of a handshake give one Sealer and one
// Opener (Keys.Sealer, Keys.Opener); a second one would repeat nonces
// under the same key and refuses to work (ErrKeyReused), as do those of
// the zero Keys a failed handshake returns (ErrState). A record that is
// altered, replayed, reordered, follows a dropped one, is cut short or has
// a bad length fails with ErrTampered, and the Opener then refuses
// everything after it.
//
// # What is protected, and what is not
//
// Protected: who may join (only someone with the code or password gets
// keys, and an attacker gets one online guess per handshake: with a
// two-word code and a host that retires a code after a failed try, a 2^-16
// chance per invitation); what is said (confidentiality and integrity of
// every record, in both directions, with forward secrecy); the order and
// completeness of the stream; the binding of the keys to the app id, the
// nameplate, both peer ids and the versions. An eavesdropper who records a
// session cannot test code guesses offline.
//
// One guess per run goes both ways: anyone on the LAN can pose as the
// host (beacons are not authenticated, so it can advertise the same
// nameplate) and a joiner that runs the handshake with it gives it one
// guess, then it hangs up. Handshake.Attempted says when a run has spent
// its guess; the 2^-16 bound holds only if the app counts every attempted
// run that did not end done as a failed attempt (the joiner must not
// retry the same code after a lost connection, the host must not let two
// runs of one code check a Ta at the same time).
//
// Not protected: that two machines talk, when, how much (record lengths
// are visible) and their addresses and ports; the hello before the
// handshake (ids and names are self-declared there, and only bound to the
// keys through CI); a cut of the stream at a record boundary (the
// Messenger must send its goodbye inside the records to tell a clean close
// from a cut); denial of service: anyone on the path can drop or break a
// connection, and a wrong guess uses up a join code. The last handshake
// message can be dropped, so the responder may finish while the initiator
// fails; the connection then closes. Secrets are not wiped from memory.
// In password mode nothing retires the password: every handshake is one
// online guess, so a guessable password falls to as many handshakes as
// the Messenger's rate limits let through; use a long random one.
//
// # Dependencies
//
// The standard library for X25519 (crypto/ecdh), SHA-512, HMAC and HKDF;
// filippo.io/edwards25519/field for the field arithmetic of the Elligator2
// map (the standard library does not export it);
// golang.org/x/crypto/chacha20poly1305 for the records (not in the standard
// library); package joincode for the SAS words.
package secure
