package tests

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/netns"
)

// roomProc is a roompeer process: one room.Room driven by commands on its
// stdin, printing its events (see tests/roompeer).
type roomProc struct {
	*netns.Proc
	cmd  *exec.Cmd
	id   string // its room's id, 16 hex digits
	addr string // its listener's address, "" without one
}

// startRoom runs cmd (a roompeer) and waits for its SELF line.
func startRoom(t *testing.T, name string, cmd *exec.Cmd) *roomProc {
	t.Helper()
	p := &roomProc{Proc: netns.StartProc(t, name, cmd), cmd: cmd}
	f := strings.Fields(p.WaitLine("SELF ", 20*time.Second))
	p.id = f[1]
	if len(f) > 2 {
		p.addr = f[2]
	}
	return p
}

// roomPeer runs a roompeer on this host with args.
func roomPeer(t *testing.T, name string, args ...string) *roomProc {
	t.Helper()
	return startRoom(t, name, exec.Command(bin("roompeer"), args...))
}

// ask sends cmd and returns the first answer line starting with prefix
// printed after it.
func (p *roomProc) ask(t *testing.T, cmd, prefix string) string {
	t.Helper()
	n := p.Count(prefix)
	p.Send(cmd)
	return p.WaitCount(prefix, n+1, 20*time.Second)[n]
}

// do sends cmd and waits until the process says it carried it out.
func (p *roomProc) do(t *testing.T, cmd string) {
	t.Helper()
	if l := p.ask(t, cmd, "OK "+cmd); l != "OK "+cmd {
		t.Fatalf("%s: %q", cmd, l)
	}
}

// members returns the ids p's room lists for group g.
func (p *roomProc) members(t *testing.T, g string) []string {
	t.Helper()
	return strings.Fields(p.ask(t, "members "+g, "MEMBERS "+g+" "))[3:]
}

// waitMembers asks p for the members of g until they are want.
func (p *roomProc) waitMembers(t *testing.T, g string, want ...*roomProc) {
	t.Helper()
	var ids []string
	for _, w := range want {
		ids = append(ids, w.id)
	}
	slices.Sort(ids)
	var got []string
	poll(t, 20*time.Second, fmt.Sprintf("%s to list %d members of %s", p.id, len(ids), g), func() bool {
		got = p.members(t, g)
		slices.Sort(got)
		return slices.Equal(got, ids)
	})
}

// linesWith returns p's lines that start with prefix.
func (p *roomProc) linesWith(prefix string) []string {
	var got []string
	for _, l := range p.Lines() {
		if strings.HasPrefix(l, prefix) {
			got = append(got, l)
		}
	}
	return got
}

// signal sends sig to the process (SIGSTOP freezes it, SIGCONT thaws it).
// A process in a namespace runs under ip netns exec, which execs it: the
// pid is the program's.
func (p *roomProc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// poll waits until cond holds, failing t after timeout. It waits on
// processes' output: the pause between two looks is not a synchronisation.
func poll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
