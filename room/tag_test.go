package room

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// TestTagWithoutMessage: when a publication's tag fits in a peer's write
// queue but its message does not, the tag is cancelled before the next
// message to that peer, so that message is not taken for a publication.
func TestTagWithoutMessage(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{MaxWriteQueue: 4 << 10})
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10) // fills sooner
	m := controlPeer(t, conn)
	defer m.Close()
	id := PeerID(m.Local().PeerID)
	if err := m.Send(&ctrlJoin{groupField{"g"}}); err != nil {
		t.Fatal(err)
	}
	until(t, "the bare peer to join g", func() bool {
		_ = m.Xfer()
		return len(srv.Members("g")) == 1
	}, srv)

	// Fill the room's queue to the peer (which does not read) to within
	// one big message.
	big := &note{S: strings.Repeat("x", 250)}
	sent := 0
	until(t, "the queue to fill", func() bool {
		for range 64 {
			err := srv.Send(id, big)
			if err == nil {
				sent++
				continue
			}
			if !errors.Is(err, messenger.ErrQueueFull) {
				t.Fatal(err)
			}
			return true
		}
		return false
	}, srv)
	if err := srv.Publish("g", big); !errors.Is(err, messenger.ErrQueueFull) {
		t.Fatalf("Publish into the full queue: %v, want ErrQueueFull", err)
	}
	if !srv.byID[id].dirty {
		t.Skip("the tag did not fit either: nothing to cancel") // the queue was full to the byte
	}
	// Now the peer reads; the room sends one plain message once it can.
	var seen []message.Message
	plain := false
	until(t, "the plain message", func() bool {
		_ = m.Xfer()
		for msg := m.Get(); msg != nil; msg = m.Get() {
			if _, ping := msg.(*ctrlPing); !ping {
				seen = append(seen, msg)
			}
		}
		if !plain && srv.Send(id, &note{S: "plain"}) == nil {
			plain = true
		}
		return plain && len(seen) > 0 && isNote(seen[len(seen)-1], "plain")
	}, srv)
	// The stream ends: ... big, tag g (its message lost), empty tag, plain.
	k := len(seen)
	if k < 3 {
		t.Fatalf("seen %d messages", k)
	}
	if tag, ok := seen[k-3].(*ctrlTag); !ok || tag.G != "g" {
		t.Errorf("third from last: %#v, want the tag of g", seen[k-3])
	}
	if tag, ok := seen[k-2].(*ctrlTag); !ok || tag.G != "" {
		t.Errorf("second from last: %#v, want the empty tag", seen[k-2])
	}
	if notes := k - 3; notes != sent {
		t.Errorf("%d big messages before the tag, want %d", notes, sent)
	}
}

func isNote(m message.Message, s string) bool {
	n, ok := m.(*note)
	return ok && n.S == s
}
