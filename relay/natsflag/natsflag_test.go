package natsflag

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cablecar-go/cablecar/relay"
)

func TestFlags(t *testing.T) {
	var f Flags
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs, true)
	if err := fs.Parse([]string{"-token", "tk", "-nkey", "seed.nk", "-ca", "ca.pem"}); err != nil || f != (Flags{Token: "tk", NKey: "seed.nk", CA: "ca.pem"}) {
		t.Fatalf("%+v, %v", f, err)
	}
	if _, err := f.Relay("nats://127.0.0.1:4222"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing -ca file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.CA = bad
	if _, err := f.Relay("nats://127.0.0.1:4222"); !errors.Is(err, ErrNoCert) {
		t.Errorf("-ca without a certificate: %v", err)
	}
	f.CA = ""
	tr, err := f.Relay("nats://127.0.0.1:4222")
	if _, ok := tr.(*relay.Relay); err != nil || !ok {
		t.Fatalf("Relay: %T, %v", tr, err)
	}
	tr.Close() // never started: nothing to stop
}
