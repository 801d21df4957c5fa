package wire_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/cablecar-go/cablecar/message"
)

// newCodec returns cable_car's JSON codec with MsgStats registered.
func newCodec() *message.JSONCodec {
	c := message.NewJSONCodec(nil)
	c.Register(func() message.Message { return new(wire.MsgStats) })
	return c
}

// TestCodecGoldenBothWays decodes each line Python wrote
// (testdata/msgstats_golden.jsonl) with the JSON codec and encodes the
// result back to the same bytes.
func TestCodecGoldenBothWays(t *testing.T) {
	c := newCodec()
	lines := readLines(t, "testdata/msgstats_golden.jsonl")
	for i, line := range lines {
		m, n, err := c.Decode(line)
		if err != nil || n != len(line) {
			t.Fatalf("line %d: Decode = %v, %d, %v", i, m, n, err)
		}
		s, ok := m.(*wire.MsgStats)
		if !ok {
			t.Fatalf("line %d: decoded %T", i, m)
		}
		out, err := c.AppendFrame(nil, s)
		if err != nil {
			t.Fatalf("line %d: AppendFrame: %v", i, err)
		}
		if !bytes.Equal(out, line) {
			t.Errorf("line %d: re-encoded\n%s\nPython wrote\n%s", i, out, line)
		}
	}
}

// TestCodecAllGoldenInOneBuffer decodes the whole golden file as one
// stream, as a Messenger's read buffer would hold it.
func TestCodecAllGoldenInOneBuffer(t *testing.T) {
	c := newCodec()
	buf := bytes.Join(readLines(t, "testdata/msgstats_golden.jsonl"), nil)
	var hosts []string
	for len(buf) > 0 {
		m, n, err := c.Decode(buf)
		if err != nil || n == 0 {
			t.Fatalf("Decode: %v (n=%d)", err, n)
		}
		hosts = append(hosts, m.(*wire.MsgStats).Host)
		buf = buf[n:]
	}
	if want := []string{"alpha", "vm", "build-server-01.example.lan", "rpi-4"}; !reflect.DeepEqual(hosts, want) {
		t.Fatalf("hosts %v", hosts)
	}
}

// TestCodecPythonStringEscapes checks a host name with non-ASCII and HTML
// characters against Python's json.dumps output (ensure_ascii, no HTML
// escaping).
func TestCodecPythonStringEscapes(t *testing.T) {
	c := newCodec()
	m := &wire.MsgStats{Host: "café-<1>&\"ü\"", CPUPercent: wire.F(1)}
	out, err := c.AppendFrame(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	// python3 -c 'import json; print(json.dumps(["MsgStats",{"host":"café-<1>&\"ü\"","cpu_percent":1.0}],separators=(",",":")))'
	want := `["MsgStats",{"host":"caf\u00e9-<1>&\"\u00fc\"","cpu_percent":1.0}]` + "\n"
	if string(out) != want {
		t.Fatalf("got  %s want %s", out, want)
	}
	back, _, err := c.Decode(out)
	if err != nil || back.(*wire.MsgStats).Host != m.Host {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}

func TestCodecCompatAndNative(t *testing.T) {
	c := newCodec()
	native := &wire.MsgStats{Host: "g", CPUPercent: wire.F(2.5), Uptime: wire.U(7), Interval: wire.F(3),
		GPUs: []wire.GPU{{Name: "NVIDIA H100 80GB HBM3", UtilPercent: wire.F(45), MemUsed: wire.U(1), MemTotal: wire.U(2), Temp: wire.F(61)}}}
	out, err := c.AppendFrame(nil, native)
	if err != nil {
		t.Fatal(err)
	}
	want := `["MsgStats",{"host":"g","cpu_percent":2.5,"uptime":7,"interval":3.0,"gpus":[{"name":"NVIDIA H100 80GB HBM3","util_percent":45.0,"mem_used":1,"mem_total":2,"temp":61.0}]}]` + "\n"
	if string(out) != want {
		t.Fatalf("native\n%s\nwant\n%s", out, want)
	}
	back, _, err := c.Decode(out)
	if err != nil || !reflect.DeepEqual(back, native) {
		t.Fatalf("native round trip %+v %v", back, err)
	}
	out, err = c.AppendFrame(nil, native.Compat())
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `["MsgStats",{"host":"g","cpu_percent":2.5}]`+"\n" {
		t.Fatalf("compat %s", out)
	}
}

func TestCodecNewerAndOlderPeers(t *testing.T) {
	c := newCodec()
	tests := []struct {
		line string
		want wire.MsgStats
	}{
		{`["MsgStats",{"host":"new","cpu_percent":1.5,"disk_percent":12.0,"gpus":[{"name":"x","power_w":300}],"nested":{"a":[1,{"b":2}]}}]`,
			wire.MsgStats{Host: "new", CPUPercent: wire.F(1.5), GPUs: []wire.GPU{{Name: "x"}}}},
		{`["MsgStats",{"host":"old"}]`, wire.MsgStats{Host: "old"}},
		{`["MsgStats",{}]`, wire.MsgStats{}},
		{`["MsgStats",{"host":"odd","cpu_percent":"n/a","load_avg":null,"temp":NaN}]`, wire.MsgStats{}}, // NaN is not JSON: whatever the codec decides, no panic
	}
	for _, tt := range tests {
		m, n, err := c.Decode([]byte(tt.line + "\n"))
		if strings.Contains(tt.line, "NaN") {
			// The codec decides what NaN means; only check it was consumed.
			if n != len(tt.line)+1 {
				t.Errorf("%s: n=%d err=%v", tt.line, n, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(*m.(*wire.MsgStats), tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.line, m, tt.want)
		}
	}
}

func TestCodecRejectsWrongShapes(t *testing.T) {
	c := newCodec()
	for _, line := range []string{
		`["MsgStats",{"host":5}]`,
		`["MsgStats",{"host":"h","gpus":7}]`,
		`["MsgStats",[1,2]]`,
	} {
		m, n, err := c.Decode([]byte(line + "\n"))
		var de *message.DecodeError
		if m != nil || n != len(line)+1 || !errors.As(err, &de) || !de.Recoverable() {
			t.Errorf("%s: Decode = %v, %d, %v; want a skipped frame", line, m, n, err)
		}
	}
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		lines = append(lines, data[:i+1])
		data = data[i+1:]
	}
	return lines
}

// FuzzCodecDecodeMsgStats feeds arbitrary lines to the JSON codec with
// MsgStats registered: never a panic, and a decoded MsgStats re-encodes
// and decodes to the same value.
func FuzzCodecDecodeMsgStats(f *testing.F) {
	data, err := os.ReadFile("testdata/msgstats_golden.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 0 {
			f.Add(line)
		}
	}
	f.Add([]byte(`["MsgStats",{"host":"g","gpus":[{"name":"\u00e9","util_percent":1e2}],"load_avg":[1,"x",null,4]}]` + "\n"))
	f.Add([]byte(`["MsgStats",{"host":"h","memory_total":-1,"swap_total":1e300,"temp":-0.0}]` + "\n"))
	f.Fuzz(func(t *testing.T, line []byte) {
		c := newCodec()
		m, n, err := c.Decode(line)
		if n < 0 || n > len(line) {
			t.Fatalf("n = %d of %d", n, len(line))
		}
		s, ok := m.(*wire.MsgStats)
		if err != nil || !ok {
			return
		}
		out, err := c.AppendFrame(nil, s)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", s, err)
		}
		back, _, err := c.Decode(out)
		if err != nil {
			t.Fatalf("decode of re-encoded %q: %v", out, err)
		}
		b := back.(*wire.MsgStats)
		if len(s.GPUs) == 0 {
			s.GPUs = nil
		}
		if !reflect.DeepEqual(s, b) {
			t.Fatalf("round trip changed\n%+v\n%+v\nvia %q", s, b, out)
		}
	})
}
