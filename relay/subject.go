package relay

import (
	"fmt"
	"strings"
)

// Subject layout. Every subject starts with the prefix "cablecar." and the
// application's token, which is Config/room AppID with every byte outside
// [A-Za-z0-9_-] written as %XX (so "my game" is "my%20game"):
//
//	cablecar.<app>.presence        presence beacons of every peer of the app
//	cablecar.<app>.peer.<id>       everything sent to peer <id> (16 hex
//	                               digits): the frames of all its streams
//
// A peer subscribes to the presence subject and to its own peer subject
// only. The server sees these names, the peer ids and names in the
// presence beacons, and the stream frames' headers (sender, stream id,
// sequence number); the stream bytes are the Messenger's own, which with a
// secret (Options.Secret, a room's password or join code) are the hello,
// the handshake and sealed records only.
const subjectPrefix = "cablecar."

type subjects struct {
	presence string
	peerBase string // "cablecar.<app>.peer."
}

func newSubjects(appID string) subjects {
	app := appToken(appID)
	return subjects{
		presence: subjectPrefix + app + ".presence",
		peerBase: subjectPrefix + app + ".peer.",
	}
}

// peer returns the subject of peer id.
func (s subjects) peer(id uint64) string { return fmt.Sprintf("%s%016x", s.peerBase, id) }

// appToken escapes appID into one subject token.
func appToken(appID string) string {
	if appID == "" {
		return "%"
	}
	var b strings.Builder
	for i := 0; i < len(appID); i++ {
		c := appID[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
