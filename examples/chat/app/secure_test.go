package app

import (
	"context"
	"errors"
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/messenger"
	"github.com/cablecar-go/cablecar/room"
)

// joinWith is join with a config of the test's own (-lo is set).
func joinWith(t *testing.T, cfg config) *chatter {
	t.Helper()
	r, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	c := &chatter{name: cfg.name, typing: w, screen: &screen{more: make(chan struct{}, 1)}, cancel: cancel, done: make(chan error, 1)}
	cfg.lo = true
	go func() { c.done <- run(ctx, cfg, r, c.screen) }()
	t.Cleanup(c.leave)
	return c
}

// TestChatPassword: the members with the same -password chat; one without
// a password and one with another are refused (and say so) and see
// nothing, nor are they seen.
func TestChatPassword(t *testing.T) {
	port := freeport.UDP(t)
	alice := joinWith(t, config{name: "alice", port: port, password: "pw"})
	bob := joinWith(t, config{name: "bob", port: port, password: "pw"})
	carol := joinWith(t, config{name: "carol", port: port})
	dave := joinWith(t, config{name: "dave", port: port, password: "other"})
	alice.screen.waitCount(t, "* bob joined (127.0.0.1:", 1)
	bob.screen.waitCount(t, "* alice joined (127.0.0.1:", 1)
	carol.screen.waitCount(t, "one of us has a password or code, the other none", 1)
	dave.screen.waitCount(t, "it has another password or code", 1)

	alice.say(t, "only for bob")
	bob.screen.waitCount(t, "<alice> only for bob\n", 1)
	carol.say(t, "anyone?")
	dave.say(t, "anyone?")
	bob.say(t, "got it")
	alice.screen.waitCount(t, "<bob> got it\n", 1)
	for _, c := range []*chatter{alice, bob, carol, dave} {
		s := c.screen.String()
		if strings.Count(s, " joined ") > 1 || strings.Contains(s, "carol joined") || strings.Contains(s, "dave joined") ||
			(c != alice && c != bob && strings.Contains(s, " joined ")) {
			t.Errorf("%s saw a peer with another secret:\n%s", c.name, s)
		}
		if (c == carol || c == dave) && strings.Contains(s, "<") {
			t.Errorf("%s got a line:\n%s", c.name, s)
		}
		if strings.Contains(s, "anyone?") {
			t.Errorf("%s got a line of a peer with another secret:\n%s", c.name, s)
		}
	}
}

var codeLine = regexp.MustCompile(`(?m)^\* (?:join code:|the code let someone in; the next one joins with|someone tried a wrong code, which is now used up; new join code:) (\S+)`)

// lastCode returns the last join code the host printed.
func lastCode(t *testing.T, s string) string {
	t.Helper()
	m := codeLine.FindAllStringSubmatch(s, -1)
	if len(m) == 0 {
		t.Fatalf("no join code in:\n%s", s)
	}
	return m[len(m)-1][1]
}

// TestChatCode: a host with a bare -code prints a code; a joiner with it
// comes in and the host prints the next code, with which a third joins
// (and meets the second too). A wrong code ends the joiner's chat with
// ErrWrongCode and the host prints a new code.
func TestChatCode(t *testing.T) {
	port := freeport.UDP(t)
	host := joinWith(t, config{name: "host", port: port, code: codeFlag{set: true, invite: true}})
	host.screen.waitCount(t, "* join code: ", 1)
	first := lastCode(t, host.screen.String())
	if !strings.Contains(host.screen.String(), "chat -code "+first) {
		t.Errorf("the host does not say how to join:\n%s", host.screen.String())
	}

	bob := joinWith(t, config{name: "bob", port: port, code: codeFlag{set: true, code: first}})
	host.screen.waitCount(t, "* bob joined", 1)
	bob.screen.waitCount(t, "* host joined", 1)
	host.screen.waitCount(t, "the next one joins with", 1)
	second := lastCode(t, host.screen.String())
	if second == first {
		t.Fatalf("the code %s was not renewed after a join", first)
	}

	carol := joinWith(t, config{name: "carol", port: port, code: codeFlag{set: true, code: second}})
	carol.screen.waitCount(t, "* host joined", 1)
	carol.screen.waitCount(t, "* bob joined", 1)
	bob.screen.waitCount(t, "* carol joined", 1)
	carol.say(t, "hello both")
	host.screen.waitCount(t, "<carol> hello both\n", 1)
	bob.screen.waitCount(t, "<carol> hello both\n", 1)

	// A wrong guess at the current code: the joiner fails, the host renews.
	host.screen.waitCount(t, "the next one joins with", 2)
	current, err := joincode.Parse(lastCode(t, host.screen.String()))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte{0, 0}
	if strings.Join(current.Words(), "-") == joincode.WordAt(0, 0)+"-"+joincode.WordAt(1, 0) {
		secret = []byte{1, 1}
	}
	wrong, _ := joincode.New(current.Nameplate(), secret)
	mallory := joinWith(t, config{name: "mallory", port: port, code: codeFlag{set: true, code: wrong.Reveal()}})
	select {
	case err := <-mallory.done:
		mallory.done = nil
		if !errors.Is(err, room.ErrWrongCode) {
			t.Errorf("mallory's chat ended with %v, want ErrWrongCode", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("a chat with a wrong code did not end")
	}
	host.screen.waitCount(t, "* someone tried a wrong code", 1)
	if strings.Contains(host.screen.String(), "mallory") {
		t.Errorf("mallory got in:\n%s", host.screen.String())
	}
}

func TestChatCompatRefusesSecret(t *testing.T) {
	for _, cfg := range []config{{compat: true, password: "pw"}, {compat: true, code: codeFlag{set: true, invite: true}}} {
		err := run(context.Background(), cfg, strings.NewReader(""), io.Discard)
		if !errors.Is(err, messenger.ErrCompatSecret) || !strings.Contains(err.Error(), "-compat cannot be combined") {
			t.Errorf("%+v: %v, want ErrCompatSecret", cfg, err)
		}
	}
}

func TestCodeFlag(t *testing.T) {
	for _, c := range []struct {
		args   []string
		invite bool
		code   string
		lo     bool
		bad    bool
	}{
		{args: nil},
		{args: []string{"-code"}, invite: true},
		{args: []string{"-code", "-lo"}, invite: true, lo: true},
		{args: []string{"-code", "7-guitarist-revenge"}, code: "7-guitarist-revenge"},
		{args: []string{"-code", "7 Guitarist Revenge", "-lo"}, code: "7 Guitarist Revenge", lo: true},
		{args: []string{"-code=7-guitarist-revenge"}, code: "7-guitarist-revenge"},
		{args: []string{"-code", "7-guitarist-nope"}, bad: true},
		{args: []string{"-code=7-guitarist"}, bad: true},
		{args: []string{"extra"}, bad: true},
		{args: []string{"-code", "7-guitarist-revenge", "extra"}, bad: true},
	} {
		var cfg config
		fs := flag.NewFlagSet("chat", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.BoolVar(&cfg.lo, "lo", false, "")
		secureFlags(fs, &cfg)
		err := fs.Parse(c.args)
		if err == nil {
			err = cfg.code.finish(fs)
		}
		if (err != nil) != c.bad {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !c.bad && (cfg.code.invite != c.invite || cfg.code.code != c.code || cfg.lo != c.lo) {
			t.Errorf("%q: %+v lo %v", c.args, cfg.code, cfg.lo)
		}
		if strings.Contains(cfg.code.String(), "guitarist") {
			t.Errorf("%q: the flag's String shows the code", c.args)
		}
	}
}

// TestChatCodeBesideAnotherRoom: a joiner that is in dials every chat of
// the LAN, and one with another secret refuses it; that refusal does not
// end its chat as a wrong code would.
func TestChatCodeBesideAnotherRoom(t *testing.T) {
	port := freeport.UDP(t)
	zed := joinWith(t, config{name: "zed", port: port, password: "pw"})
	host := joinWith(t, config{name: "host", port: port, code: codeFlag{set: true, invite: true}})
	host.screen.waitCount(t, "* join code: ", 1)
	bob := joinWith(t, config{name: "bob", port: port, code: codeFlag{set: true, code: lastCode(t, host.screen.String())}})
	bob.screen.waitCount(t, "* host joined", 1)
	bob.screen.waitCount(t, "* refused ", 1) // zed's refusal
	select {
	case err := <-bob.done:
		bob.done = nil
		t.Fatalf("bob's chat ended: %v", err)
	default:
	}
	bob.say(t, "still here")
	host.screen.waitCount(t, "<bob> still here\n", 1)
	if strings.Contains(zed.screen.String(), "joined") {
		t.Errorf("zed let someone in:\n%s", zed.screen.String())
	}
}
