package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/room"
)

// TestParseFlags: the flags main used to parse, now in Run; without
// Ext.Relay there is no -relay nor -lan; with it, -relay is refused with
// -compat and -code, and -lan=false needs it.
func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-name", "al", "-lo", "-port", "9000", "-password", "pw"}, io.Discard, nil)
	if err != nil || cfg.name != "al" || !cfg.lo || cfg.port != 9000 || cfg.password != "pw" || !cfg.lan || cfg.relay != "" {
		t.Fatalf("%+v, %v", cfg, err)
	}
	if cfg, err := parseFlags([]string{"-code", "7-guitarist-revenge", "-lo"}, io.Discard, nil); err != nil || cfg.code.code != "7-guitarist-revenge" || !cfg.lo {
		t.Errorf("-code CODE -lo: %+v, %v", cfg, err)
	}
	var errOut bytes.Buffer
	for _, args := range [][]string{{"-relay", "nats://h:4222"}, {"-lan=true"}} {
		errOut.Reset()
		name, _, _ := strings.Cut(args[0], "=")
		if _, err := parseFlags(args, &errOut, nil); err == nil || !strings.Contains(errOut.String(), "flag provided but not defined: "+name) {
			t.Errorf("%v without a relay: %v, %q", args, err, errOut.String())
		}
	}
	var token string
	ext := &Ext{
		Relay: func(string) (room.Transport, error) { return nil, errors.New("no server here") },
		Flags: func(fs *flag.FlagSet) { fs.StringVar(&token, "token", "", "the extension's `flag`") },
	}
	cfg, err = parseFlags([]string{"-relay", "nats://h:4222", "-lan=false", "-token", "tk"}, io.Discard, ext)
	if err != nil || cfg.relay != "nats://h:4222" || cfg.lan || token != "tk" {
		t.Errorf("-relay with a relay: %+v, %v, token %q", cfg, err, token)
	}
	for _, bad := range [][]string{{"-relay", "u", "-compat"}, {"-relay", "u", "-code"}, {"-lan=false"}, {"extra"}, {"-nope"}} {
		if _, err := parseFlags(bad, io.Discard, ext); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	errOut.Reset()
	if code := Run(context.Background(), []string{"-h"}, strings.NewReader(""), io.Discard, &errOut, ext); code != 0 ||
		!strings.Contains(errOut.String(), "-relay URL") || !strings.Contains(errOut.String(), "the extension's flag") {
		t.Errorf("-h: exit %d, %q", code, errOut.String())
	}
	for _, args := range [][]string{{"-relay", "u"}, {"-lan=false"}} {
		errOut.Reset()
		if code := Run(context.Background(), args, strings.NewReader(""), io.Discard, &errOut, ext); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%q)", args, code, errOut.String())
		}
	}
	if !strings.Contains(errOut.String(), "-lan=false needs -relay") {
		t.Errorf("-lan=false alone says %q", errOut.String())
	}
}
