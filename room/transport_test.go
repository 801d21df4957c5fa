package room

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// pipeHub joins the pipeTransports started on it by net.Pipe, each pair
// once, when the second of a pair starts or when connect is called.
type pipeHub struct {
	mu      sync.Mutex
	started []*pipeTransport
}

type pipeTransport struct {
	hub    *pipeHub
	info   TransportInfo
	fail   error
	closed bool
}

func (p *pipeTransport) Start(_ context.Context, info TransportInfo) error {
	if p.fail != nil {
		return p.fail
	}
	p.info = info
	p.hub.mu.Lock()
	p.hub.started = append(p.hub.started, p)
	p.hub.mu.Unlock()
	return nil
}

func (p *pipeTransport) Close() error {
	p.hub.mu.Lock()
	p.closed = true
	p.hub.mu.Unlock()
	return nil
}

// connect joins every two started transports by a pipe.
func (h *pipeHub) connect() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, a := range h.started {
		for _, b := range h.started[i+1:] {
			ca, cb := net.Pipe()
			a.info.Accept(TransportConn{Conn: ca, Peer: b.info.Self, Name: "b"})
			b.info.Accept(TransportConn{Conn: cb, Peer: a.info.Self, Name: "a"})
		}
	}
}

func transportRoom(t *testing.T, cfg Config) *member {
	t.Helper()
	cfg.AppID = "transport-test"
	cfg.Codec = newCodec()
	r, err := New(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := &member{Room: r}
	t.Cleanup(func() { m.Close() })
	return m
}

// Rooms with a Transport alone run no LAN discovery and meet through it:
// the hello runs on the Transport's connection, messages flow, Close
// closes the Transport.
func TestTransportOnly(t *testing.T) {
	leakcheck.Check(t)
	hub := &pipeHub{}
	ta, tb := &pipeTransport{hub: hub}, &pipeTransport{hub: hub}
	a := transportRoom(t, Config{Transports: []Transport{ta}})
	b := transportRoom(t, Config{Transports: []Transport{tb}})
	if a.Addr() != nil || ta.info.Self != a.ID() || ta.info.AppID != "transport-test" || ta.info.PeerTimeout == 0 {
		t.Fatalf("addr %v, info %+v", a.Addr(), ta.info)
	}
	hub.connect()
	until(t, "a and b", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	if err := a.Send(b.ID(), &note{S: "hi"}); err != nil {
		t.Fatal(err)
	}
	until(t, "the note", func() bool { return len(b.notes()) == 1 }, a, b)
	a.Close()
	if !ta.closed {
		t.Fatal("Close did not close the transport")
	}
}

// A peer reached both over the LAN (here Listen and Dial) and a
// Transport is one peer: the connection that joined first stays, the
// later one is refused.
func TestTransportAndLANOnePeer(t *testing.T) {
	leakcheck.Check(t)
	hub := &pipeHub{}
	a := transportRoom(t, Config{Listen: "127.0.0.1:0", Transports: []Transport{LAN, &pipeTransport{hub: hub}}})
	if a.Addr() == nil {
		t.Fatal("room.LAN in Transports: no listener")
	}
	b := transportRoom(t, Config{Dial: []string{a.Addr().String()}, Transports: []Transport{&pipeTransport{hub: hub}, LAN}})
	until(t, "a and b over TCP", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	hub.connect()
	rejected := func(m *member) bool {
		for _, ev := range m.events {
			if r, ok := ev.(Rejected); ok && errors.Is(r.Reason, ErrHello) {
				return true
			}
		}
		return false
	}
	until(t, "the pipe refused", func() bool { return rejected(a) && rejected(b) }, a, b)
	if err := a.Send(b.ID(), &note{S: "still here"}); err != nil {
		t.Fatal(err)
	}
	until(t, "the note", func() bool { return len(b.notes()) == 1 }, a, b)
	for _, m := range []*member{a, b} {
		if len(m.Peers()) != 1 {
			t.Fatalf("peers %v", m.Peers())
		}
		for _, ev := range m.events {
			if _, ok := ev.(Left); ok {
				t.Fatalf("a peer left: %+v", ev)
			}
		}
	}
}

// A nil Transport, or one whose Start fails, fails New; the Transports
// started before are closed.
func TestTransportConfig(t *testing.T) {
	leakcheck.Check(t)
	hub := &pipeHub{}
	if _, err := New(context.Background(), &Config{Transports: []Transport{nil}}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("nil transport: %v", err)
	}
	boom := errors.New("boom")
	first := &pipeTransport{hub: hub}
	_, err := New(context.Background(), &Config{Transports: []Transport{first, &pipeTransport{hub: hub, fail: boom}}})
	if !errors.Is(err, boom) || !first.closed {
		t.Fatalf("failing transport: %v, first closed %v", err, first.closed)
	}
}
