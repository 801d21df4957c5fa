package connector

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
)

// TestIdentifyFromOutside talks to an acceptor with a plain socket.
func TestIdentifyFromOutside(t *testing.T) {
	cfg := loopbackConfig(t, freeport.UDP(t))
	cfg.ConnTimeout = 300 * time.Millisecond
	a := startTestPeer(t, cfg, "a")
	addr := a.TCPAddr().String()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		t.Cleanup(func() { c.Close() })
		return c
	}
	reply := func(c net.Conn) error {
		t.Helper()
		b, err := readFrame(c)
		if err != nil {
			return err
		}
		_, err = parseReply(b)
		return err
	}
	me := record{kind: kindBeacon, id: 5, port: 1, app: []byte(cfg.AppID), name: []byte("plain socket")}

	// Garbage: closed without an answer.
	c := dial()
	c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("garbage got an answer")
	}
	// Silence: closed after ConnTimeout.
	c = dial()
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("silent connection: %v, want EOF", err)
	}
	// Another application, another target: rejected with a reason.
	other := me
	other.app = []byte("other")
	c = dial()
	c.Write(helloFrame(&other, a.ID()))
	if err := reply(c); !errors.Is(err, ErrRejected) {
		t.Errorf("foreign app: %v", err)
	}
	c = dial()
	c.Write(helloFrame(&me, a.ID()+1))
	if err := reply(c); !errors.Is(err, ErrRejected) {
		t.Errorf("wrong target: %v", err)
	}
	if n, _ := a.rec.counts(); n != 0 {
		t.Fatalf("%d OnConnect after bad hellos", n)
	}
	if s := a.Stats(); s.Rejected != 4 {
		t.Errorf("Rejected = %d, want 4", s.Rejected)
	}
	// A correct hello: accepted, and the stream is ours right after.
	c = dial()
	c.Write(helloFrame(&me, a.ID()))
	if err := reply(c); err != nil {
		t.Fatalf("good hello: %v", err)
	}
	waitFor(t, 5*time.Second, "OnConnect", func() bool { return a.rec.connectsTo(5) == 1 })
	p := a.peer(t, 5)
	if p.Name != "plain socket" || p.Outgoing || p.Addr.Port() != 1 {
		t.Errorf("peer %+v", p)
	}
	c.Write([]byte("hi"))
	got := make([]byte, 2)
	if _, err := io.ReadFull(p.Conn, got); err != nil || string(got) != "hi" {
		t.Errorf("user stream: %q %v", got, err)
	}
	c.Close()
	waitFor(t, 5*time.Second, "OnDisconnect", func() bool { return len(a.rec.disconnectsFrom(5)) == 1 })
	if err := a.rec.disconnectsFrom(5)[0]; !errors.Is(err, io.EOF) {
		t.Errorf("reason %v", err)
	}
}
