package app

import (
	"bytes"
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/cpumon/internal/screen"
	"github.com/cablecar-go/cablecar/cpumon/internal/table"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/message"
)

func TestDoctorFlag(t *testing.T) {
	leakcheck.Check(t)
	var help bytes.Buffer
	parseFlags([]string{"-h"}, &help)
	if !strings.Contains(help.String(), "\n  -doctor\n") {
		t.Error("help does not explain -doctor")
	}
	o, err := parseFlags([]string{"-doctor", "-local", "-port", "9000"}, &bytes.Buffer{})
	if err != nil || !o.doctor {
		t.Fatalf("-doctor: %+v, %v", o, err)
	}
	cfg := doctorConfig(o)
	if !cfg.Loopback || cfg.UDPPort != 9000 || cfg.AppID != appID || cfg.Compat {
		t.Errorf("doctor config %+v", cfg)
	}
	if cfg := doctorConfig(options{compat: true}); !cfg.Compat || cfg.UDPPort != compatUDPPort || cfg.TCPPort != compatTCPPort {
		t.Errorf("compat doctor config %+v", cfg)
	}
}

func TestDoctorRun(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	o := options{doctor: true, local: true, port: port}
	var out bytes.Buffer
	if code := doctorRun(context.Background(), o, &out); code != 0 {
		t.Errorf("clean loopback: exit %d\n%s", code, out.String())
	}
	if s := out.String(); !strings.Contains(s, "our own beacon to 127.255.255.255:"+strconv.Itoa(port)+" came back") ||
		!strings.HasSuffix(s, "no problem found\n") {
		t.Errorf("output:\n%s", s)
	}

	pc, err := net.ListenPacket("udp4", "0.0.0.0:"+strconv.Itoa(port)) // held without sharing
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	out.Reset()
	if code := doctorRun(context.Background(), o, &out); code != 1 {
		t.Errorf("port held: exit %d", code)
	}
	if s := out.String(); !strings.Contains(s, "most likely: the beacon port udp "+strconv.Itoa(port)+" cannot be bound") {
		t.Errorf("output:\n%s", s)
	}
}

func TestDoctorStatus(t *testing.T) {
	leakcheck.Check(t)
	port := freeport.UDP(t)
	mo := &monitor{opts: options{local: true, port: port}}
	ds := newDoctorStatus(mo)
	defer ds.close()
	if s := ds.line(); s != "discovery not started" {
		t.Errorf("before start: %q", s)
	}
	mo.codec = message.NewJSONCodec(nil)
	if err := mo.startRoom(context.Background(), "h"); err != nil {
		t.Fatal(err)
	}
	defer mo.room.Close()
	if s := ds.line(); !strings.HasPrefix(s, "looking for peers on lo (127.255.255.255), 0 heard for ") || strings.Contains(s, "doctor") {
		t.Errorf("status %q", s)
	}
	// Only a stranger on the port: after statusAfter, the problem, then the
	// doctor's finding on a second line.
	stranger, err := connector.NewBroadcastConnector(&connector.BroadcastConfig{AppID: "not-cpumon", UDPPort: port, Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := stranger.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer stranger.Stop()
	after := statusAfter
	statusAfter = 2500 * time.Millisecond // two of the room's beacon intervals
	defer func() { statusAfter = after }()
	deadline := time.Now().Add(20 * time.Second)
	var s string
	for s = ds.line(); !strings.Contains(s, "\ndoctor: "); s = ds.line() {
		if time.Now().After(deadline) {
			t.Fatalf("no doctor line: %q", s)
		}
		time.Sleep(20 * time.Millisecond) // polling the status line, as the view does
	}
	if !strings.Contains(s, `connector: beacons of another application: heard beacons of application "not-cpumon"`) ||
		!strings.Contains(s, `doctor: beacons of application "not-cpumon" from 127.0.0.1`) {
		t.Errorf("status:\n%s", s)
	}
}

func TestViewShowsStatusWhileAlone(t *testing.T) {
	leakcheck.Check(t)
	f, err := os.CreateTemp(t.TempDir(), "screen")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := newView(screen.New(f), options{interval: time.Second})
	v.status = func() string { return "looking for peers on eth0 (10.0.0.255), 0 heard for 5s" }
	if err := v.maybeDraw(table.NewHosts(&table.Config{}), time.Now()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.Name())
	if lines := strings.Split(string(b), "\n"); len(lines) < 2 || lines[1] != "looking for peers on eth0 (10.0.0.255), 0 heard for 5s" {
		t.Errorf("frame:\n%s", b)
	}
}
