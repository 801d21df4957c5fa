// Package joincode makes, reads and completes cablecar's join codes, short
// invitation codes in the style of magic-wormhole: "7-guitarist-revenge".
//
// A code has two parts that the API keeps apart:
//
//   - the nameplate (7), a small number that is public: the host puts it in
//     its beacons and mDNS records so that a joiner can find the host. Pick
//     it with LowestFree from the nameplates heard for the app id.
//   - the words (guitarist-revenge), the secret: one byte each, from the PGP
//     word list, 2 words (16 bits) by default, 3 or 4 on request. They are
//     the password of the PAKE in package secure (Code.Secret).
//
// Nothing secret may leave the machine: only Code.Nameplate goes into a
// packet, a record or a log. Not a word, not a hash of the words — 16 bits
// hash to a table anyone can build in a second. A code is as strong as its
// bits only because the host allows one guess per invitation and retires
// the code after a failed attempt; 2 words give an attacker a 1 in 65536
// chance per invitation.
//
// The words alternate between the two halves of the PGP word list (three-
// syllable "odd" words at the first, third... position, two-syllable "even"
// words at the others, as magic-wormhole does), so a dropped or swapped word
// is caught by Parse and reported at its position, and Complete offers only
// the words that fit where the user is typing. Parse accepts any case and
// any mix of dashes, underscores and spaces between the parts.
//
// The word list is public data (Juola and Zimmermann's PGP word list), taken
// from magic-wormhole's src/wormhole/_wordlist.py; see wordlist.go.
//
// The package has no dependencies outside the standard library and does no
// networking.
package joincode
