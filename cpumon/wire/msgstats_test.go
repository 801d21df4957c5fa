package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

// goldenWant are the values of testdata/msgstats_golden.jsonl, line by line.
var goldenWant = []MsgStats{
	{Host: "alpha", CPUPercent: F(12.5), LoadAvg: LoadAvg{F(0.52), F(0.4), F(0.31)},
		MemoryPercent: F(43.2), MemoryTotal: U(16651128832), SwapPercent: F(0), SwapTotal: U(2147479552), Temp: F(48)},
	{Host: "vm", CPUPercent: F(0), LoadAvg: LoadAvg{F(0), F(0.05), F(1)},
		MemoryPercent: F(7), MemoryTotal: U(25179361280), SwapPercent: F(0), SwapTotal: U(0)},
	{Host: "build-server-01.example.lan", CPUPercent: F(100), LoadAvg: LoadAvg{F(12.34), F(1e-05), F(123456789.5)},
		MemoryPercent: F(99.9), MemoryTotal: U(1099511627776), SwapPercent: F(33.3), SwapTotal: U(68719476736), Temp: F(85.123456789)},
	{Host: "rpi-4", CPUPercent: F(3.1), LoadAvg: LoadAvg{F(0.08), F(0.12), F(0.09)},
		MemoryPercent: F(21.6), MemoryTotal: U(3978665984), SwapPercent: F(0.6), SwapTotal: U(104853504), Temp: F(51.634)},
}

// goldenLines reads testdata/msgstats_golden.jsonl (written by Python, see
// gen_golden.py), each line with its "\n".
func goldenLines(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open("testdata/msgstats_golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, append(append([]byte(nil), sc.Bytes()...), '\n'))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(goldenWant) {
		t.Fatalf("%d golden lines, want %d", len(lines), len(goldenWant))
	}
	return lines
}

// splitFrame splits a cable_car JSON line into its class name and the raw
// attribute object.
func splitFrame(t testing.TB, line []byte) (string, []byte) {
	t.Helper()
	var frame []json.RawMessage
	if err := json.Unmarshal(line, &frame); err != nil || len(frame) != 2 {
		t.Fatalf("bad frame %q: %v", line, err)
	}
	var name string
	if err := json.Unmarshal(frame[0], &name); err != nil {
		t.Fatal(err)
	}
	return name, frame[1]
}

// TestGoldenObjects decodes the attribute objects Python wrote and encodes
// the same values back to the same bytes, with encoding/json alone (the
// codec-level test is in codec_test.go).
func TestGoldenObjects(t *testing.T) {
	for i, line := range goldenLines(t) {
		name, obj := splitFrame(t, line)
		if name != (*MsgStats)(nil).MessageName() {
			t.Errorf("line %d: class %q", i, name)
		}
		var got MsgStats
		if err := json.Unmarshal(obj, &got); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, goldenWant[i]) {
			t.Errorf("line %d: decoded\n%+v\nwant\n%+v", i, got, goldenWant[i])
		}
		enc, err := json.Marshal(&goldenWant[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, obj) {
			t.Errorf("line %d: encoded\n%s\nPython wrote\n%s", i, enc, obj)
		}
	}
}

func TestDecodeTolerant(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want MsgStats
	}{
		{"unknown fields from a newer peer are ignored",
			`{"host":"n","cpu_percent":1.5,"future":{"a":[1,2,{"b":null}]},"gpus":[{"name":"g","util_percent":5,"fan":3}],"zz":1}`,
			MsgStats{Host: "n", CPUPercent: F(1.5), GPUs: []GPU{{Name: "g", UtilPercent: F(5)}}}},
		{"missing fields are absent",
			`{"host":"old"}`,
			MsgStats{Host: "old"}},
		{"wrong types and null are absent",
			`{"host":"w","cpu_percent":"high","load_avg":7,"memory_percent":null,"memory_total":-5,"swap_percent":true,"swap_total":{},"temp":[1]}`,
			MsgStats{Host: "w"}},
		{"short and long load lists",
			`{"host":"l","load_avg":[1.5,"x"]}`,
			MsgStats{Host: "l", LoadAvg: LoadAvg{F(1.5)}}},
		{"extra load entries dropped",
			`{"host":"l","load_avg":[1,2,3,4,5]}`,
			MsgStats{Host: "l", LoadAvg: LoadAvg{F(1), F(2), F(3)}}},
		{"integer-valued and float byte counts",
			`{"host":"b","memory_total":8.0e9,"swap_total":1.5,"uptime":12}`,
			MsgStats{Host: "b", MemoryTotal: U(8e9), SwapTotal: U(1), Uptime: U(12)}},
		{"out of range numbers are absent",
			`{"host":"r","cpu_percent":1e999,"memory_total":1e30}`,
			MsgStats{Host: "r"}},
		{"ints where Python would send floats",
			`{"host":"i","cpu_percent":5,"temp":40}`,
			MsgStats{Host: "i", CPUPercent: F(5), Temp: F(40)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got MsgStats
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestEncodeAbsentAndNonFinite(t *testing.T) {
	m := MsgStats{Host: "h", CPUPercent: F(math.NaN()), LoadAvg: LoadAvg{F(1), {}, F(math.Inf(1))}, Temp: Float{V: 3, Valid: false}}
	b, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"host":"h","cpu_percent":null,"load_avg":[1.0,null,null]}`
	if string(b) != want {
		t.Fatalf("got %s\nwant %s", b, want)
	}
	var back MsgStats
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CPUPercent.Valid || back.LoadAvg[1].Valid || back.LoadAvg[2].Valid || !back.LoadAvg[0].Valid {
		t.Fatalf("round trip: %+v", back)
	}
}

func TestCompatDropsNativeFields(t *testing.T) {
	native := goldenWant[0]
	native.Uptime = U(3600)
	native.NetRxRate = F(1024.5)
	native.NetTxRate = F(10)
	native.Interval = F(3)
	native.GPUs = []GPU{{Name: "NVIDIA H100 80GB HBM3", UtilPercent: F(45), MemUsed: U(1 << 30), MemTotal: U(80 << 30), Temp: F(61)}}

	b, err := json.Marshal(&native)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"uptime":3600`, `"net_rx_rate":1024.5`, `"net_tx_rate":10.0`, `"interval":3.0`,
		`"gpus":[{"name":"NVIDIA H100 80GB HBM3","util_percent":45.0,"mem_used":1073741824,"mem_total":85899345920,"temp":61.0}]`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("native JSON lacks %s: %s", key, b)
		}
	}

	compat := native.Compat()
	if !reflect.DeepEqual(*compat, goldenWant[0]) {
		t.Fatalf("Compat() = %+v", compat)
	}
	cb, err := json.Marshal(compat)
	if err != nil {
		t.Fatal(err)
	}
	_, obj := splitFrame(t, goldenLines(t)[0])
	if !bytes.Equal(cb, obj) {
		t.Fatalf("compat JSON\n%s\nPython\n%s", cb, obj)
	}
	if native.GPUs == nil || !native.Uptime.Valid {
		t.Fatal("Compat changed its receiver")
	}
}
