package connector

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func sampleRecord() record {
	return record{kind: kindBeacon, id: 0x0102030405060708, port: 0xabcd, app: []byte("game"), name: []byte("ann"), meta: []byte{1, 2}}
}

func TestBeaconLayout(t *testing.T) {
	r := sampleRecord()
	got := appendRecord(nil, &r)
	want := []byte("CCAR\x01\x01\x01\x02\x03\x04\x05\x06\x07\x08\xab\xcd\x04game\x03ann\x02\x01\x02")
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %q\nwant %q", got, want)
	}
	back, err := parseBeacon(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.id != r.id || back.port != r.port || string(back.app) != "game" || string(back.name) != "ann" || !bytes.Equal(back.meta, r.meta) {
		t.Errorf("decoded %+v", back)
	}
	full := record{kind: kindGoodbye, id: 1, app: bytes.Repeat([]byte("a"), MaxAppIDLen),
		name: bytes.Repeat([]byte("n"), MaxNameLen), meta: make([]byte, MaxMetadataLen), np: 9}
	// With a nameplate and an extension of a later version, maxExtLen in all.
	fullB := append(appendExt(appendRecord(nil, &full), &full), 200, maxExtLen-6)
	fullB = append(fullB, make([]byte, maxExtLen-6)...)
	if b := fullB; len(b) != MaxBeaconSize {
		t.Errorf("largest beacon is %d bytes, MaxBeaconSize %d", len(b), MaxBeaconSize)
	} else if _, err := parseBeacon(b); err != nil {
		t.Errorf("largest beacon: %v", err)
	}
}

func TestBeaconRejects(t *testing.T) {
	r := sampleRecord()
	good := appendRecord(nil, &r)
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrBadBeacon},
		{"cable_car", []byte("BROADCAST"), ErrBadBeacon},
		{"magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), ErrBadBeacon},
		{"version", mod(func(b []byte) []byte { b[4] = 2; return b }), ErrUnsupportedVersion},
		{"kind 0", mod(func(b []byte) []byte { b[5] = 0; return b }), ErrBadBeacon},
		{"kind hello", mod(func(b []byte) []byte { b[5] = kindHello; return b }), ErrBadBeacon},
		{"zero id", mod(func(b []byte) []byte { copy(b[6:14], make([]byte, 8)); return b }), ErrBadBeacon},
		{"empty app", appendRecord(nil, &record{kind: 1, id: 1}), ErrBadBeacon},
		{"app too long", mod(func(b []byte) []byte { b[16] = 200; return b }), ErrBadBeacon},
		{"bad utf8 name", appendRecord(nil, &record{kind: 1, id: 1, app: []byte("a"), name: []byte{0xff}}), ErrBadBeacon},
		{"trailing", append(slices.Clone(good), 0), ErrBadBeacon},
		{"oversize", append(slices.Clone(good), make([]byte, MaxBeaconSize)...), ErrBadBeacon},
	}
	for i := range len(good) {
		tests = append(tests, struct {
			name string
			b    []byte
			want error
		}{"truncated", good[:i], ErrBadBeacon})
	}
	for _, tt := range tests {
		_, err := parseBeacon(tt.b)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s (%q): %v, want %v", tt.name, tt.b, err, tt.want)
		}
	}
}

func TestBeaconRejectAllocs(t *testing.T) {
	garbage := []byte("some garbage datagram of no interest")
	r := sampleRecord()
	good := appendRecord(nil, &r)
	if n := testing.AllocsPerRun(100, func() {
		parseBeacon(garbage)
		parseBeacon(good)
	}); n != 0 {
		t.Errorf("parseBeacon allocates %v times", n)
	}
}

func TestIdentifyFrames(t *testing.T) {
	self := sampleRecord()
	h := helloFrame(&self, 77)
	b, err := readFrame(bytes.NewReader(h))
	if err != nil {
		t.Fatal(err)
	}
	r, target, err := parseHello(b)
	if err != nil || target != 77 || r.id != self.id || r.kind != kindHello {
		t.Fatalf("hello: %+v %v %v", r, target, err)
	}
	if _, err := parseReply(b); !errors.Is(err, ErrBadBeacon) {
		t.Errorf("hello parsed as reply: %v", err)
	}
	b, _ = readFrame(bytes.NewReader(acceptFrame(&self)))
	if r, err := parseReply(b); err != nil || r.kind != kindAccept || r.port != self.port {
		t.Errorf("accept: %+v %v", r, err)
	}
	if _, _, err := parseHello(b); !errors.Is(err, ErrBadBeacon) {
		t.Errorf("accept parsed as hello: %v", err)
	}
	b, _ = readFrame(bytes.NewReader(rejectFrame(rejectDuplicate)))
	if _, err := parseReply(b); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("reject: %v", err)
	}
	for _, bad := range [][]byte{{0, 1, 'x'}, {0xff, 0xff}, {0, 200, 'C'}} {
		if _, err := readFrame(bytes.NewReader(bad)); err == nil {
			t.Errorf("readFrame(%q) succeeded", bad)
		}
	}
	// Exact reads: the bytes after the frame stay in the stream.
	stream := bytes.NewReader(append(acceptFrame(&self), "user data"...))
	if _, err := readFrame(stream); err != nil {
		t.Fatal(err)
	}
	if rest, _ := stream.ReadByte(); rest != 'u' {
		t.Errorf("readFrame consumed user data")
	}
}

func TestBroadcastNets(t *testing.T) {
	ipn := func(s string) *net.IPNet {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	up := net.FlagUp | net.FlagBroadcast | net.FlagMulticast
	ifs := []ifaceInfo{
		{name: "lo", flags: net.FlagUp | net.FlagLoopback, addrs: []net.Addr{ipn("127.0.0.1/8")}},
		{name: "eth0", flags: up, addrs: []net.Addr{ipn("192.168.1.10/24"), ipn("fe80::1/64"), ipn("10.0.0.5/8")}},
		{name: "eth1", flags: up, addrs: []net.Addr{ipn("172.16.5.1/20")}},
		{name: "down0", flags: net.FlagBroadcast, addrs: []net.Addr{ipn("192.168.9.1/24")}},
		{name: "tun0", flags: net.FlagUp | net.FlagPointToPoint, addrs: []net.Addr{ipn("10.8.0.2/24")}},
		{name: "host", flags: up, addrs: []net.Addr{ipn("192.168.7.7/32"), ipn("192.168.8.8/31")}},
		{name: "dup", flags: up, addrs: []net.Addr{ipn("192.168.1.11/24")}},
	}
	targets, nets := broadcastNets(ifs, nil)
	want := []string{"10.255.255.255", "172.16.15.255", "192.168.1.255"}
	if got := addrStrings(targets); !slices.Equal(got, want) {
		t.Errorf("targets %v, want %v", got, want)
	}
	if !inNets(nets, netip.MustParseAddr("172.16.10.3")) || inNets(nets, netip.MustParseAddr("172.16.16.1")) ||
		inNets(nets, netip.MustParseAddr("127.0.0.1")) {
		t.Errorf("nets %v", nets)
	}
	targets, _ = broadcastNets(ifs, []string{"eth1", "down0"})
	if got := addrStrings(targets); !slices.Equal(got, []string{"172.16.15.255"}) {
		t.Errorf("filtered targets %v", got)
	}
}

func addrStrings(a []netip.Addr) []string {
	var s []string
	for _, x := range a {
		s = append(s, x.String())
	}
	return s
}

func FuzzParseBeacon(f *testing.F) {
	r := sampleRecord()
	f.Add(appendRecord(nil, &r))
	r.kind, r.meta, r.name = kindGoodbye, nil, nil
	f.Add(appendRecord(nil, &r))
	r.kind, r.np = kindBeacon, 7
	f.Add(appendExt(appendRecord(nil, &r), &r))
	f.Add(append(appendRecord(nil, &r), 9, 1, 0, extNameplate, 2, 0, 3))
	f.Add([]byte("BROADCAST"))
	f.Add([]byte("CCAR\x01\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseBeacon(b)
		if err != nil {
			if !errors.Is(err, ErrBadBeacon) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// A valid beacon re-encodes to a beacon of the same fields, and
		// to the same bytes unless it had extensions of unknown types
		// (skipped) or a repeated one.
		again := appendExt(appendRecord(nil, &r), &r)
		back, err := parseBeacon(again)
		if err != nil || back.kind != r.kind || back.id != r.id || back.port != r.port || back.np != r.np ||
			!bytes.Equal(back.app, r.app) || !bytes.Equal(back.name, r.name) || !bytes.Equal(back.meta, r.meta) {
			t.Fatalf("re-encoded %q: %+v, %v; parsed %q: %+v", again, back, err, b, r)
		}
		if len(again) > len(b) {
			t.Fatalf("re-encoded %q is longer than %q", again, b)
		}
	})
}

func FuzzIdentify(f *testing.F) {
	r := sampleRecord()
	f.Add(helloFrame(&r, 9))
	r.np = 12
	f.Add(helloFrame(&r, 9))
	r.np = 0
	f.Add(acceptFrame(&r))
	f.Add(rejectFrame(rejectApp))
	f.Add([]byte{0, 6, 'C', 'C', 'A', 'R', 1, 6})
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := readFrame(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(body) > maxIdentifyFrame {
			t.Fatalf("frame of %d bytes", len(body))
		}
		for _, err := range []error{
			func() error { _, _, err := parseHello(body); return err }(),
			func() error { _, err := parseReply(body); return err }(),
		} {
			if err != nil && !errors.Is(err, ErrBadBeacon) && !errors.Is(err, ErrUnsupportedVersion) && !errors.Is(err, ErrRejected) {
				t.Fatalf("untyped error %v", err)
			}
		}
	})
}

// TestBeaconNameplate: a nameplate travels as an extension after the
// record; a beacon or hello without one is byte for byte the version-1
// layout (which older peers parse), and bad extensions are typed errors.
func TestBeaconNameplate(t *testing.T) {
	r := sampleRecord()
	plain := appendRecord(nil, &r)
	if b := appendExt(slices.Clone(plain), &r); !bytes.Equal(b, plain) {
		t.Fatalf("no nameplate: %q, want the version-1 bytes %q", b, plain)
	}
	r.np = 7
	b := appendExt(appendRecord(nil, &r), &r)
	if want := append(slices.Clone(plain), extNameplate, 2, 0, 7); !bytes.Equal(b, want) {
		t.Fatalf("nameplate 7: %q, want %q", b, want)
	}
	back, err := parseBeacon(b)
	if err != nil || back.np != 7 {
		t.Fatalf("parsed %+v, %v", back, err)
	}
	// An unknown extension type is skipped.
	if back, err := parseBeacon(append(slices.Clone(b), 200, 1, 9)); err != nil || back.np != 7 {
		t.Fatalf("unknown extension: %+v, %v", back, err)
	}
	for name, bad := range map[string][]byte{
		"zero nameplate": append(slices.Clone(plain), extNameplate, 2, 0, 0),
		"short value":    append(slices.Clone(plain), extNameplate, 1, 7),
		"cut":            append(slices.Clone(plain), extNameplate, 2, 0),
		"type only":      append(slices.Clone(plain), extNameplate),
		"too long":       append(slices.Clone(plain), 200, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	} {
		if _, err := parseBeacon(bad); !errors.Is(err, ErrBadBeacon) {
			t.Errorf("%s: %v, want ErrBadBeacon", name, err)
		}
	}
	// The identify hello: the joined nameplate after the target id; an
	// old hello (no extension) still parses.
	h := helloFrame(&r, 77)
	got, target, err := parseHello(h[2:])
	if err != nil || target != 77 || got.np != 7 {
		t.Fatalf("hello: %+v %v %v", got, target, err)
	}
	r.np = 0
	h = helloFrame(&r, 77)
	if got, target, err := parseHello(h[2:]); err != nil || target != 77 || got.np != 0 || len(h[2:]) != len(plain)-len(r.meta)+len(r.meta)+8 {
		t.Fatalf("old hello: %+v %v %v (%d bytes)", got, target, err, len(h))
	}
}
