package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/room"
)

// TestMain fails the run if a goroutine outlives the tests.
func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestParseFlags(t *testing.T) {
	var errOut bytes.Buffer
	o, err := parseFlags(nil, &errOut)
	if err != nil || o != (options{interval: 3 * time.Second, lan: true}) {
		t.Fatalf("defaults %+v, %v", o, err)
	}
	o, err = parseFlags([]string{"-local", "-compat", "-json", "-interval", "500ms", "-port", "9000", "-v"}, &errOut)
	want := options{local: true, compat: true, json: true, interval: 500 * time.Millisecond, port: 9000, verbose: true, lan: true}
	if err != nil || o != want {
		t.Fatalf("all flags %+v, %v", o, err)
	}
	errOut.Reset()
	if _, err := parseFlags([]string{"-h"}, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	if o, err := parseFlags([]string{"-mdns"}, &bytes.Buffer{}); err != nil || !o.mdns {
		t.Errorf("-mdns: %+v, %v", o, err)
	}
	if o, err := parseFlags([]string{"-password", "pw"}, &bytes.Buffer{}); err != nil || o.password != "pw" {
		t.Errorf("-password: %+v, %v", o, err)
	}
	for _, f := range []string{"-local", "-compat", "-json", "-interval", "-port", "-mdns", "-password", "-v", "-h"} { // -relay and -lan: TestRelayFlag
		if !strings.Contains(errOut.String(), "\n  "+f) {
			t.Errorf("help does not explain %s", f)
		}
	}
	for _, bad := range [][]string{{"-interval", "1ms"}, {"-port", "70000"}, {"extra"}, {"-nope"}, {"-mdns", "-local"}, {"-mdns", "-compat"}, {"-password", "pw", "-compat"}, {"-lan=false"}} {
		if _, err := parseFlags(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestRelayFlag: without Ext.Relay cpumon has no -relay nor -lan (nor
// their help); with it, -relay is refused with -compat and -doctor, and
// -lan=false needs it.
func TestRelayFlag(t *testing.T) {
	var errOut bytes.Buffer
	for _, args := range [][]string{{"-relay", "nats://h:4222"}, {"-lan=true"}} {
		errOut.Reset()
		name, _, _ := strings.Cut(args[0], "=")
		if _, err := parseFlags(args, &errOut); err == nil || !strings.Contains(errOut.String(), "flag provided but not defined: "+name) {
			t.Errorf("%v without a relay: %v, %q", args, err, errOut.String())
		}
	}
	errOut.Reset()
	if _, err := parseFlags([]string{"-h"}, &errOut); !errors.Is(err, flag.ErrHelp) || strings.Contains(errOut.String(), "-relay") {
		t.Errorf("-h without a relay: %v, %q", err, errOut.String())
	}
	if code := Run(t.Context(), []string{"-relay", "nats://h:4222"}, os.Stdout, os.Stderr, nil); code != 2 {
		t.Errorf("Run -relay without a relay: exit %d, want 2", code)
	}
	var token string
	ext := &Ext{
		Relay: func(string) (room.Transport, error) { return nil, errors.New("unused") },
		Flags: func(fs *flag.FlagSet) { fs.StringVar(&token, "token", "", "") },
		Usage: "  -token string\n        the extension's flag\n",
	}
	o, err := parseFlagsExt([]string{"-relay", "nats://h:4222", "-lan=false", "-token", "tk"}, &bytes.Buffer{}, ext)
	if err != nil || o.relay != "nats://h:4222" || o.lan || token != "tk" {
		t.Errorf("-relay with a relay: %+v, %v, token %q", o, err, token)
	}
	errOut.Reset()
	if _, err := parseFlagsExt([]string{"-h"}, &errOut, ext); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "the extension's flag") ||
		!strings.Contains(errOut.String(), "\n  -relay URL") || !strings.Contains(errOut.String(), "\n  -lan") {
		t.Errorf("-h with ext: %v, %q", err, errOut.String())
	}
	for _, bad := range [][]string{{"-relay", "u", "-compat"}, {"-relay", "u", "-doctor"}, {"-relay", "u", "-lan=false", "-mdns"}, {"-lan=false"}} {
		if _, err := parseFlagsExt(bad, &bytes.Buffer{}, ext); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	// A transport that cannot be made: exit 2, the error shown.
	if code := Run(t.Context(), []string{"-relay", "u"}, os.Stdout, os.Stderr, ext); code != 2 {
		t.Errorf("Run with a failing Ext.Relay: exit %d, want 2", code)
	}
}

// instance is one monitor running in this process with -json output.
type instance struct {
	cancel context.CancelFunc
	done   chan error
	lines  chan jsonEvent
	self   jsonEvent
}

func startInstance(t *testing.T, o options) *instance {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{cancel: cancel, done: make(chan error, 1), lines: make(chan jsonEvent, 1024)}
	go func() {
		err := monitorRun(ctx, o, w, os.Stderr)
		w.Close()
		in.done <- err
	}()
	go func() {
		defer close(in.lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev jsonEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("bad JSON line %q: %v", sc.Text(), err)
				continue
			}
			in.lines <- ev
		}
		r.Close()
	}()
	in.self = in.next(t, func(ev jsonEvent) bool { return ev.Type == "self" })
	t.Cleanup(func() { in.stop(t) })
	return in
}

// next returns the first line that matches, waiting up to 10 s.
func (in *instance) next(t *testing.T, match func(jsonEvent) bool) jsonEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-in.lines:
			if !ok {
				t.Fatal("output ended")
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("no matching line within 10s")
		}
	}
}

// stop ends the monitor and waits for it; idempotent.
func (in *instance) stop(t *testing.T) {
	in.cancel()
	if err, ok := <-in.done; ok {
		close(in.done)
		if err != nil {
			t.Errorf("monitor: %v", err)
		}
		for range in.lines { // the reader ends with the output
		}
	}
}

func TestTwoMonitorsSeeEachOther(t *testing.T) {
	o := options{local: true, json: true, interval: 200 * time.Millisecond, port: freeport.UDP(t)}
	a := startInstance(t, o)
	b := startInstance(t, o)

	fromB := a.next(t, func(ev jsonEvent) bool { return ev.Type == "stats" && ev.Peer == b.self.Peer })
	fromA := b.next(t, func(ev jsonEvent) bool { return ev.Type == "stats" && ev.Peer == a.self.Peer })
	for _, ev := range []jsonEvent{fromA, fromB} {
		s := ev.Stats
		if s == nil || s.Host == "" || !strings.Contains(s.Host, "#") || !s.CPUPercent.Valid || !s.MemoryTotal.Valid || s.Interval != wire.F(0.2) || !s.Uptime.Valid {
			t.Errorf("stats %+v", s)
		}
	}

	b.stop(t)
	gone := a.next(t, func(ev jsonEvent) bool { return ev.Type == "gone" && ev.Peer == b.self.Peer })
	if gone.Reason != "left" {
		t.Errorf("reason %q, want left", gone.Reason)
	}
}

// TestCompatWithCableCarPeer plays a Python cpu_mon peer by hand: it
// connects to the monitor's TCP port, sends one stats line exactly as
// cable_car writes it, and checks what comes back.
func TestCompatWithCableCarPeer(t *testing.T) {
	tcpPort := freeport.TCP(t)
	mon := startInstance(t, options{local: true, compat: true, json: true, interval: 200 * time.Millisecond, port: freeport.UDP(t), tcpPort: tcpPort})

	conn, err := net.DialTimeout("tcp4", fmt.Sprintf("127.0.0.1:%d", tcpPort), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pyLine := `["MsgStats",{"host":"pyhost","cpu_percent":12.5,"load_avg":[0.52,0.4,0.31],"memory_percent":43.2,"memory_total":16651128832,"swap_percent":0.0,"swap_total":2147479552,"temp":48.0}]` + "\n"
	if _, err := conn.Write([]byte(pyLine)); err != nil {
		t.Fatal(err)
	}

	// The monitor sends its own stats at once and then every interval, in
	// cable_car's format and with its fields only.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(conn)
	for i := range 2 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading line %d: %v", i, err)
		}
		var frame []json.RawMessage
		if err := json.Unmarshal([]byte(line), &frame); err != nil || len(frame) != 2 || string(frame[0]) != `"MsgStats"` {
			t.Fatalf("line %q: %v", line, err)
		}
		var keys []string
		dec := json.NewDecoder(bytes.NewReader(frame[1]))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		got := strings.Join(keys, ",")
		if got != "host,cpu_percent,load_avg,memory_percent,memory_total,swap_percent,swap_total" &&
			got != "host,cpu_percent,load_avg,memory_percent,memory_total,swap_percent,swap_total,temp" {
			t.Fatalf("compat line has keys %s: %s", got, line)
		}
	}

	ev := mon.next(t, func(ev jsonEvent) bool { return ev.Type == "stats" })
	if ev.Peer != "127.0.0.1" || ev.Stats.Host != "pyhost" || ev.Stats.Temp != wire.F(48) || ev.Stats.SwapTotal != wire.U(2147479552) {
		t.Fatalf("received %+v %+v", ev, ev.Stats)
	}
	conn.Close()
	mon.next(t, func(ev jsonEvent) bool { return ev.Type == "gone" && ev.Peer == "127.0.0.1" })
}
