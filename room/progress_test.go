package room

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/connector"
	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
)

// TestRecvAloneSaysWhy: Recv that ends with nobody in the room wraps the
// deadline and the reason discovery sees; Progress tells where it stands.
func TestRecvAloneSaysWhy(t *testing.T) {
	leakcheck.Check(t)
	r, err := New(context.Background(), &Config{AppID: "room-test-alone", Codec: newCodec(), Loopback: true,
		UDPPort: freeport.UDP(t), Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = r.Recv(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, connector.ErrNobodyHeard) {
		t.Errorf("Recv alone: %v", err)
	}
	if s := r.Progress().String(); !strings.HasPrefix(s, "looking for peers on lo (127.255.255.255), 0 heard for ") {
		t.Errorf("Progress: %q", s)
	}
	rep, err := r.Diagnose(context.Background())
	if err != nil || !rep.OK() || !strings.Contains(rep.String(), "our own beacon to 127.255.255.255") {
		t.Errorf("Diagnose: %v\n%v", err, rep)
	}
	d := dialer(t, "127.0.0.1:1")
	if p := d.Progress(); p.Searching {
		t.Errorf("a Room that only dials: %+v", p)
	}
	if rep, err := d.Diagnose(context.Background()); err != nil || len(rep.Findings) != 0 {
		t.Errorf("a Room that only dials: Diagnose %v, %v", rep, err)
	}
}
