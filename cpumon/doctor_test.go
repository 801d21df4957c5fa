package main

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
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
