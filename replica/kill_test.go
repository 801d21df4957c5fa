package replica

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/message/msgpack"
	"github.com/cablecar-go/cablecar/room"
)

// observerEnv makes the test binary an observer process (runObserver).
const observerEnv = "REPLICA_TEST_OBSERVER"

// runObserver is the child of TestStoppedWhenKilled: a room that dials
// addr and observes "s", printing "ready" once it has the snapshot, then
// running its game loop until it is killed.
func runObserver(addr string) int {
	c := msgpack.NewCodec(nil)
	Register(c)
	r, err := room.New(context.Background(), &room.Config{AppID: "replica-test", Codec: c, Dial: []string{addr}})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	e := &end{r: r, h: New(r, nil)}
	view, err := Observe[score](e.h, "s")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	ready := false
	for tick := time.Tick(time.Millisecond); ; <-tick {
		e.frame()
		if view.Ready() && !ready {
			fmt.Println("ready")
			ready = true
		}
	}
}

// An observer process that is killed (SIGKILL: no goodbye; its kernel
// closes the connection) stops observing within the peer timeout.
func TestStoppedWhenKilled(t *testing.T) {
	const peerTimeout = 5 * time.Second
	host := &end{r: newRoom(t, room.Config{Listen: "127.0.0.1:0", PeerTimeout: peerTimeout})}
	host.h = New(host.r, nil)
	if _, err := Publish(host.h, "s", score{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), observerEnv+"="+host.r.Addr().String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
	})
	lines := make(chan string, 4)
	go func() {
		defer close(lines)
		for sc := bufio.NewScanner(out); sc.Scan(); {
			lines <- sc.Text()
		}
	}()
	var line string
	until(t, "the observer's snapshot", func() bool {
		select {
		case line = <-lines:
			return true
		default:
			return false
		}
	}, host)
	if line != "ready" {
		t.Fatalf("observer: %q", line)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed = true
	start := time.Now()
	until(t, "stopped", func() bool { _, ok := eventOf[Stopped](host); return ok }, host)
	st, _ := eventOf[Stopped](host)
	if !errors.Is(st.Reason, room.ErrPeerLeft) && !errors.Is(st.Reason, room.ErrPeerReset) && !errors.Is(st.Reason, room.ErrPeerTimeout) {
		t.Fatalf("stopped: %v", st.Reason)
	}
	if d := time.Since(start); d > peerTimeout {
		t.Fatalf("stopped after %v, more than the peer timeout %v", d, peerTimeout)
	}
	t.Logf("stopped %v after the kill: %v", time.Since(start), st.Reason)
	for range lines { // the pipe ends with the process
	}
}
