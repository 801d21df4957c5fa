package room

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message"
	"github.com/cablecar-go/cablecar/messenger"
)

// TestCompatRefuses: in compat mode the methods that need control
// messages return ErrCompat.
func TestCompatRefuses(t *testing.T) {
	leakcheck.Check(t)
	r := listener(t, Config{Compat: true})
	for name, err := range map[string]error{
		"JoinGroup":  r.JoinGroup("g"),
		"LeaveGroup": r.LeaveGroup("g"),
		"Publish":    r.Publish("g", &note{S: "x"}),
		"Produce":    r.Produce("g", &note{S: "x"}),
		"Notify":     r.Notify("g", 1),
	} {
		if !errors.Is(err, ErrCompat) {
			t.Errorf("%s: %v, want ErrCompat", name, err)
		}
	}
	if g := r.Groups(); len(g) != 0 {
		t.Errorf("groups %v after a refused JoinGroup", g)
	}
	if q, f := r.Work("g"); q != 0 || f != 0 {
		t.Errorf("Work after a refused Produce: %d, %d", q, f)
	}
	if _, err := New(context.Background(), &Config{Compat: true, Discovery: &fakeDiscoverer{}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Compat with Discovery: %v, want ErrInvalidConfig", err)
	}
	r.Close()
	if err := r.JoinGroup("g"); !errors.Is(err, ErrClosed) {
		t.Errorf("JoinGroup after Close: %v, want ErrClosed", err)
	}
}

// TestCompatWire: a compat room that dials a cable_car-like peer (a bare
// socket) writes no hello and nothing of its own, over many ping
// intervals: the peer reads exactly the frames the application sent, and
// the end of the stream (no goodbye) after Close, even with a codec that
// knows the room's control messages. A silent peer is not
// dropped; what it sends arrives under the PeerID the room drew for it.
func TestCompatWire(t *testing.T) {
	leakcheck.Check(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// A codec shared with a native Room knows the control messages: the
	// compat room must still send none.
	codec := controlCodec(t)
	r, err := New(context.Background(), &Config{Compat: true, Codec: codec, Dial: []string{ln.Addr().String()},
		Interval: 10 * time.Millisecond, PeerTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{Room: r}
	defer m.Close()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	until(t, "the peer to join", func() bool { return len(m.Peers()) == 1 }, m)
	id := m.Peers()[0]
	if id != 1 {
		t.Errorf("the first compat peer's id is %d, want 1", id)
	}
	// Twenty ping intervals and four peer timeouts of silence.
	deadline := time.Now().Add(20 * r.cfg.Interval)
	until(t, "twenty ping intervals", func() bool { return time.Now().After(deadline) }, m)
	if len(m.Peers()) != 1 {
		t.Fatalf("the silent compat peer was dropped: %v", m.events)
	}
	if err := m.SendAll(&note{S: "one"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Send(id, &message.MsgQuit{}); err != nil {
		t.Fatal(err)
	}
	pump(m)
	if _, err := conn.Write([]byte{4, 0x20, 'h', 'i'}); err != nil {
		t.Fatal(err)
	}
	var got []Message
	until(t, "the peer's message", func() bool { got = append(got, m.notes()...); return len(got) == 1 }, m)
	if got[0].Peer != id || got[0].Msg.(*note).S != "hi" {
		t.Errorf("got %+v", got[0])
	}
	m.Close()
	all, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{5, 0x20, 'o', 'n', 'e', 2, message.CodeQuit}; !bytes.Equal(all, want) {
		t.Errorf("the peer read % x, want % x (the application's frames only)", all, want)
	}
}

// TestCompatLeave: compat rooms with known addresses talk to each other;
// a peer's Close is the end of its stream, ErrPeerReset (a cable_car peer
// cannot say goodbye).
func TestCompatLeave(t *testing.T) {
	leakcheck.Check(t)
	srv := listener(t, Config{Compat: true})
	c, err := New(context.Background(), &Config{Compat: true, Codec: newCodec(), Dial: []string{srv.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	cm := &member{Room: c}
	defer c.Close()
	until(t, "both to join", func() bool { return len(srv.Peers()) == 1 && len(cm.Peers()) == 1 }, srv, cm)
	if err := cm.SendAll(&note{S: "last"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	id := srv.Peers()[0]
	until(t, "the leave", func() bool { _, ok := leftOf(srv, id); return ok }, srv)
	if n := srv.notes(); len(n) != 1 || n[0].Msg.(*note).S != "last" {
		t.Errorf("messages before the leave: %+v", n)
	}
	if reason, _ := leftOf(srv, id); !errors.Is(reason, ErrPeerReset) {
		t.Errorf("reason %v, want ErrPeerReset", reason)
	}
}

// TestCompatRefusesSecret: cable_car has no security, so a compat room
// with a password or a join code is refused at New, not at every hello.
func TestCompatRefusesSecret(t *testing.T) {
	leakcheck.Check(t)
	for name, cfg := range map[string]Config{
		"Password": {Compat: true, Loopback: true, Password: "pw"},
		"Invite":   {Compat: true, Loopback: true, Invite: true},
		"Code":     {Compat: true, Loopback: true, Code: "7-guitarist-revenge"},
	} {
		r, err := New(t.Context(), &cfg)
		if err == nil {
			r.Close()
			t.Fatalf("%s: New succeeded", name)
		}
		if !errors.Is(err, ErrInvalidConfig) || !errors.Is(err, messenger.ErrCompatSecret) {
			t.Errorf("%s: %v, want ErrInvalidConfig and messenger.ErrCompatSecret", name, err)
		}
	}
}
