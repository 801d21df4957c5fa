package transcribe

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/internal/freeport"
	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/secure"
)

// lo is a loopback Config on a beacon port of the test's own.
func lo(t *testing.T) *Config {
	return &Config{Loopback: true, UDPPort: freeport.UDP(t), Interval: 100 * time.Millisecond, Timeout: 30 * time.Second}
}

type result struct {
	blob []byte
	err  error
}

// receive runs Receive on a goroutine of its own.
func receive(cfg *Config, code string, blob []byte) chan result {
	ch := make(chan result, 1)
	go func() {
		b, err := Receive(context.Background(), cfg, code, blob)
		ch <- result{b, err}
	}()
	return ch
}

func offer(t *testing.T, cfg *Config, blob []byte) *Initiator {
	t.Helper()
	in, err := Offer(context.Background(), cfg, blob)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func TestExchange(t *testing.T) {
	leakcheck.Check(t)
	for _, c := range []struct{ name, mine, theirs string }{
		{"short", "some text", "my reply"},
		{"empty reply", "some text", ""},
		{"chunks", strings.Repeat("0123456789abcdef", 4000), strings.Repeat("z", 1000)}, // 64000 bytes: 259 parts
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := lo(t)
			in := offer(t, cfg, []byte(c.mine))
			code := in.Code()
			if code.Nameplate() != 1 || code.Len() != joincode.DefaultWords {
				t.Errorf("code %v, want nameplate 1 and %d words", code, joincode.DefaultWords)
			}
			rc := receive(cfg, code.Reveal(), []byte(c.theirs))
			got, err := in.Wait(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(c.theirs)) {
				t.Errorf("initiator got %d bytes, want %d", len(got), len(c.theirs))
			}
			r := <-rc
			if r.err != nil {
				t.Fatal(r.err)
			}
			if string(r.blob) != c.mine {
				t.Errorf("receiver got %d bytes, want %d", len(r.blob), len(c.mine))
			}
		})
	}
}

func TestWrongCode(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	in := offer(t, cfg, []byte("secret stuff"))
	right := in.Code()
	w := right.Words()
	wrongSecret := []byte{0, 0}
	if w[0] == joincode.WordAt(0, 0) && w[1] == joincode.WordAt(1, 0) {
		wrongSecret = []byte{1, 1}
	}
	wrong, _ := joincode.New(right.Nameplate(), wrongSecret)
	rc := receive(cfg, wrong.Reveal(), []byte("reply"))
	_, err := in.Wait(context.Background())
	if !errors.Is(err, secure.ErrWrongCode) || !strings.Contains(err.Error(), secure.ErrWrongCode.Error()) {
		t.Errorf("initiator: %v, want ErrWrongCode", err)
	}
	r := <-rc
	if !errors.Is(r.err, secure.ErrWrongCode) || !strings.Contains(r.err.Error(), "get a new code") {
		t.Errorf("receiver: %v, want ErrWrongCode", r.err)
	}
	if r.blob != nil {
		t.Errorf("receiver got %q with a wrong code", r.blob)
	}
}

func TestReceiveBadCode(t *testing.T) {
	leakcheck.Check(t)
	_, err := Receive(context.Background(), lo(t), "7-guitarist-notaword", nil)
	var ce *joincode.CodeError
	if !errors.Is(err, joincode.ErrBadCode) || !errors.As(err, &ce) || ce.Pos != 2 {
		t.Fatalf("%v, want ErrBadCode at position 2", err)
	}
}

func TestReceiveTimeout(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	cfg.Timeout = 500 * time.Millisecond
	_, err := Receive(context.Background(), cfg, "7-guitarist-revenge", nil)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("%v, want ErrTimeout", err)
	}
}

func TestOfferExpires(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	cfg.Timeout = 500 * time.Millisecond
	in := offer(t, cfg, []byte("x"))
	_, err := in.Wait(context.Background())
	if !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("%v, want ErrCodeExpired", err)
	}
	// A receiver that comes later finds nobody.
	cfg.Timeout = 500 * time.Millisecond
	in.Close()
	if _, err := Receive(context.Background(), cfg, in.Code().Reveal(), nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("late receiver: %v, want ErrTimeout", err)
	}
}

func TestWaitContext(t *testing.T) {
	leakcheck.Check(t)
	in := offer(t, lo(t), []byte("x"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := in.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
}

// TestResume: an initiator closed (as by a restart) and resumed from its
// state has the same code, and the receiver given it before gets through.
func TestResume(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	first := offer(t, cfg, []byte("offered before the restart"))
	st, err := ParseState(first.State().Marshal()) // as through a file
	if err != nil {
		t.Fatal(err)
	}
	code := first.Code().Reveal()
	first.Close()

	in, err := Resume(context.Background(), cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Code().Reveal() != code {
		t.Fatalf("resumed with %s, want %s", in.Code().Reveal(), code)
	}
	rc := receive(cfg, code, []byte("reply"))
	got, err := in.Wait(context.Background())
	if err != nil || string(got) != "reply" {
		t.Fatalf("initiator: %q, %v", got, err)
	}
	if r := <-rc; r.err != nil || string(r.blob) != "offered before the restart" {
		t.Fatalf("receiver: %q, %v", r.blob, r.err)
	}
}

func TestResumeRefused(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	code, _ := joincode.Parse("3-guitarist-revenge")
	st := &State{AppID: DefaultAppID, Code: code, Expires: time.Now().Add(-time.Second), Blob: []byte("x")}
	if _, err := Resume(context.Background(), cfg, st); !errors.Is(err, ErrCodeExpired) {
		t.Errorf("expired: %v, want ErrCodeExpired", err)
	}
	st.Expires = time.Now().Add(time.Minute)
	st.AppID = "another"
	if _, err := Resume(context.Background(), cfg, st); !errors.Is(err, ErrBadState) {
		t.Errorf("another app: %v, want ErrBadState", err)
	}
}

func TestBlobTooLarge(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	cfg.MaxBlob = 100
	var se *SizeError
	if _, err := Offer(context.Background(), cfg, make([]byte, 101)); !errors.As(err, &se) || se.Size != 101 || se.Limit != 100 || !errors.Is(err, ErrBlobTooLarge) {
		t.Errorf("Offer: %v, want a *SizeError", err)
	}
	if _, err := Receive(context.Background(), cfg, "7-guitarist-revenge", make([]byte, 101)); !errors.As(err, &se) {
		t.Errorf("Receive: %v, want a *SizeError", err)
	}
	cfg.MaxBlob = MaxBlobLimit + 1
	if _, err := Offer(context.Background(), cfg, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("MaxBlob over the limit: %v, want ErrConfig", err)
	}

	// The peer's blob over this side's limit: refused on both sides.
	cfg.MaxBlob = 0
	in := offer(t, cfg, make([]byte, 5000))
	small := *cfg
	small.MaxBlob = 1000
	rc := receive(&small, in.Code().Reveal(), []byte("reply"))
	_, err := in.Wait(context.Background())
	if !errors.Is(err, ErrRefused) || !errors.As(err, &se) || se.Limit != 1000 {
		t.Errorf("initiator: %v, want ErrRefused with the limit 1000", err)
	}
	r := <-rc
	if !errors.As(r.err, &se) || !se.Peer || se.Size != 5000 {
		t.Errorf("receiver: %v, want a *SizeError for the peer's 5000 bytes", r.err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{AppID: strings.Repeat("a", 300)}, {Interval: -1}, {Poll: -1}, {Timeout: -1}, {MaxBlob: -1}, {Words: 1}, {Words: 5},
	} {
		if _, err := Offer(context.Background(), &c, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", c, err)
		}
	}
}

// TestTwoExchangesAtOnce: two initiators on one LAN and app id (two
// nameplates) and their receivers: each pair swaps its own blobs. A
// receiver that is in dials the other initiator's room too (its secret is
// another), which must not end its exchange.
func TestTwoExchangesAtOnce(t *testing.T) {
	leakcheck.Check(t)
	cfg := lo(t)
	a := offer(t, cfg, []byte("from a"))
	// b listens for the nameplates in use during its first Interval: make
	// it five of a's beacons (a window of one Interval can miss a beacon
	// whose time is jittered by 10%).
	slow := *cfg
	slow.Interval = 5 * cfg.Interval
	b := offer(t, &slow, []byte("from b"))
	if a.Code().Nameplate() == b.Code().Nameplate() {
		t.Fatalf("both initiators on nameplate %d", a.Code().Nameplate())
	}
	ra := receive(cfg, a.Code().Reveal(), []byte("to a"))
	rb := receive(cfg, b.Code().Reveal(), []byte("to b"))
	waits := make(chan result, 2)
	for _, in := range []*Initiator{a, b} {
		go func() {
			got, err := in.Wait(context.Background())
			waits <- result{got, err}
		}()
	}
	got := map[string]bool{}
	for _, ch := range []chan result{ra, rb, waits, waits} {
		r := <-ch
		if r.err != nil {
			t.Error(r.err)
			continue
		}
		got[string(r.blob)] = true
	}
	for _, want := range []string{"from a", "from b", "to a", "to b"} {
		if !got[want] {
			t.Errorf("%q did not arrive; got %v", want, got)
		}
	}
}
