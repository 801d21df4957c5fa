package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/examples/chat/app"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/nats-io/nats-server/v2/server"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// run is the chat through the relay at url only (-lan=false: no LAN
// beacons in a test) with extra flags; an exit status other than 0 is an
// error with what it wrote to stderr.
func run(ctx context.Context, url string, in io.Reader, out io.Writer, flags ...string) error {
	var errOut syncBuf
	if code := app.Run(ctx, append([]string{"-relay", url, "-lan=false"}, flags...), in, out, &errOut, ext()); code != 0 {
		return fmt.Errorf("chat exit %d: %s", code, errOut.String())
	}
	return nil
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling the output
	}
}

// startServer starts an embedded NATS server on loopback, shut down when
// the test ends.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	return s
}

// Two chats on one embedded server: a line typed in one shows in the
// other; the end of input ends the program and the other sees it leave.
func TestChatOverRelay(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inA, typeA := io.Pipe()
	var outA, outB syncBuf
	done := make(chan error, 2)
	go func() { done <- run(ctx, s.ClientURL(), inA, &outA, "-name", "alice") }()
	go func() { done <- run(ctx, s.ClientURL(), strings.NewReader(""), &outB, "-name", "bob") }()
	// bob's input is empty: bob ends at once; start another bob that stays.
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	inB, typeB := io.Pipe()
	defer typeB.Close()
	go func() { done <- run(ctx, s.ClientURL(), inB, &outB, "-name", "bob") }()
	waitFor(t, "alice sees bob", func() bool { return strings.Contains(outA.String(), "* bob joined") })
	if _, err := io.WriteString(typeA, "hello over nats\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob reads alice", func() bool { return strings.Contains(outB.String(), "<alice> hello over nats") })
	typeA.Close()
	t.Cleanup(func() { t.Log("A:", outA.String(), "B:", outB.String()) })
	waitFor(t, "bob sees alice leave", func() bool { return strings.Contains(outB.String(), "* alice left") })
	t.Log(outA.String(), outB.String())
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// With -password, alice and bob (the same password) chat through the
// relay; dave (another password) and carol (none) are refused, say so,
// and never see anyone join or any line.
func TestChatPasswordOverRelay(t *testing.T) {
	leakcheck.Check(t)
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type chatter struct {
		name, password string
		out            syncBuf
		typ            *io.PipeWriter
	}
	cs := []*chatter{{name: "alice", password: "pw"}, {name: "bob", password: "pw"}, {name: "dave", password: "other"}, {name: "carol"}}
	done := make(chan error, len(cs))
	for _, c := range cs {
		in, typ := io.Pipe()
		c.typ = typ
		flags := []string{"-name", c.name}
		if c.password != "" {
			flags = append(flags, "-password", c.password)
		}
		go func() { done <- run(ctx, s.ClientURL(), in, &c.out, flags...) }()
	}
	alice, bob, dave, carol := cs[0], cs[1], cs[2], cs[3]
	t.Cleanup(func() {
		for _, c := range cs {
			c.typ.Close() // ends its readLines
			t.Logf("%s:\n%s", c.name, c.out.String())
		}
	})
	waitFor(t, "alice sees bob, the others refused", func() bool {
		return strings.Contains(alice.out.String(), "* bob joined") &&
			strings.Contains(dave.out.String(), "it has another password") &&
			strings.Contains(carol.out.String(), "one of us has a password or code, the other none") &&
			strings.Contains(alice.out.String(), "it has another password") &&
			strings.Contains(alice.out.String(), "one of us has a password or code, the other none")
	})
	if _, err := io.WriteString(alice.typ, "sealed hello\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob reads alice", func() bool { return strings.Contains(bob.out.String(), "<alice> sealed hello") })
	for _, c := range []*chatter{dave, carol} {
		if out := c.out.String(); strings.Contains(out, "joined") || strings.Contains(out, "sealed hello") {
			t.Fatalf("%s got in:\n%s", c.name, out)
		}
	}
	if strings.Count(alice.out.String(), "(shown once)") != 2 {
		t.Fatalf("alice's refusals:\n%s", alice.out.String())
	}
	cancel()
	for range cs {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
