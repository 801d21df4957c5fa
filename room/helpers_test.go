package room

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/roomtest"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// note is the tests' message: a byte-coded string (code 0x20).
type note = roomtest.Note

func newCodec() message.Codec { return roomtest.NewCodec() }

// controlCodec is newCodec with the room's control messages registered,
// for a raw Messenger that sends or reads them.
func controlCodec(t testing.TB) message.Codec {
	t.Helper()
	codec := newCodec()
	if err := registerControls(codec); err != nil {
		t.Fatal(err)
	}
	return codec
}

// controlPeer is a raw Messenger over conn with controlCodec, after the
// hello. The caller closes it.
func controlPeer(t testing.TB, conn net.Conn) *messenger.Messenger {
	t.Helper()
	m, err := messenger.New(context.Background(), conn, controlCodec(t), &messenger.Options{AppID: "room-test"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// member is a Room under test and the events it got.
type member struct {
	*Room
	events []Event
}

// pump runs one frame of each member: Xfer, Get until nil, Xfer.
func pump(ms ...*member) {
	for _, m := range ms {
		m.events = roomtest.Frame[Event](m.Room, m.events)
	}
}

// until pumps ms until cond holds, failing t after a generous deadline.
func until(t testing.TB, what string, cond func() bool, ms ...*member) {
	t.Helper()
	roomtest.Until(t, 20*time.Second, what, cond, func() { pump(ms...) })
}

// take removes and returns the events of m that match keep.
func (m *member) take(keep func(Event) bool) []Event {
	var got, rest []Event
	for _, ev := range m.events {
		if keep(ev) {
			got = append(got, ev)
		} else {
			rest = append(rest, ev)
		}
	}
	m.events = rest
	return got
}

func (m *member) notes() []Message {
	var got []Message
	for _, ev := range m.take(func(ev Event) bool { _, ok := ev.(Message); return ok }) {
		got = append(got, ev.(Message))
	}
	return got
}

// lan starts n Rooms that find each other on loopback, on a beacon port of
// the test's own, and waits until each has the n-1 others.
func lan(t *testing.T, n int) []*member {
	t.Helper()
	port := freeport.UDP(t)
	ms := make([]*member, n)
	for i := range ms {
		r, err := New(context.Background(), &Config{
			AppID:       "room-test",
			Codec:       newCodec(),
			Name:        fmt.Sprint("m", i),
			Loopback:    true,
			UDPPort:     port,
			Interval:    50 * time.Millisecond,
			PeerTimeout: 10 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		ms[i] = &member{Room: r}
	}
	until(t, "the room to form", func() bool {
		for _, m := range ms {
			if len(m.Peers()) != n-1 {
				return false
			}
		}
		return true
	}, ms...)
	pump(ms...) // the Joined of a peer the last pump's second Xfer admitted
	return ms
}

// listener starts a Room that listens on loopback with known addresses.
func listener(t testing.TB, cfg Config) *member {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	if cfg.AppID == "" {
		cfg.AppID = "room-test"
	}
	if cfg.Codec == nil {
		cfg.Codec = newCodec()
	}
	r, err := New(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &member{Room: r}
}

// dialer starts a Room that dials addr.
func dialer(t testing.TB, addr string) *member {
	t.Helper()
	r, err := New(context.Background(), &Config{AppID: "room-test", Codec: newCodec(), Dial: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &member{Room: r}
}

func hasPeer(m *member, id PeerID) bool { return slices.Contains(m.Peers(), id) }

func leftOf(m *member, id PeerID) (error, bool) {
	for _, ev := range m.events {
		if l, ok := ev.(Left); ok && l.Peer == id {
			return l.Reason, true
		}
	}
	return nil, false
}

func isErr(err, target error) bool { return errors.Is(err, target) }
