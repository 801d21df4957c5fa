package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
)

// The real server in a process of its own (built from the module
// nats-server/v2 into a temp dir), with token authentication: two Rooms
// meet through it; a relay with the wrong token is refused (ErrConnect).
func TestBuiltServerProcess(t *testing.T) {
	leakcheck.Check(t)
	if testing.Short() {
		t.Skip("builds nats-server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nats-server")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build nats-server: %v\n%s", err, out)
	}
	port := freeport.TCP(t)
	srv := exec.Command(bin, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "--auth", "s3cret-token")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, "the server listens", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	url := "nats://" + addr

	rl, err := New(&Config{URL: url, Token: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := room.New(context.Background(), &room.Config{Transports: []room.Transport{rl}}); !errors.Is(err, ErrConnect) {
		t.Fatalf("wrong token: %v", err)
	}

	good := &Config{Token: "s3cret-token"}
	a := newMember(t, url, good, nil)
	b := newMember(t, url, good, nil)
	until(t, "a and b through the server process", func() bool { return hasPeer(a, b.ID()) && hasPeer(b, a.ID()) }, a, b)
	for i := range 100 {
		if err := b.Send(a.ID(), &note{S: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "100 notes", func() bool { return len(a.notes()) == 100 }, a, b)
}
