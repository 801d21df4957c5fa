package table

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cablecar-go/cablecar/cpumon/wire"
)

var (
	F = wire.F
	U = wire.U
)

func sampleRows() []Row {
	return []Row{
		{Key: "a", Age: time.Second, Stats: &wire.MsgStats{Host: "alpha", CPUPercent: F(12.5),
			LoadAvg: wire.LoadAvg{F(0.52), F(0.4), F(0.31)}, MemoryPercent: F(43.2), MemoryTotal: U(16651128832),
			SwapPercent: F(0), SwapTotal: U(2147479552), Temp: F(48)}},
		// No temperature sensor, two GPUs, a long name.
		{Key: "b", Age: 2 * time.Second, Stats: &wire.MsgStats{Host: "build-server-01.very-long-domain.example.lan",
			CPUPercent: F(100), LoadAvg: wire.LoadAvg{F(12.34), F(10), F(8.5)}, MemoryPercent: F(99.9),
			MemoryTotal: U(1099511627776), SwapPercent: F(33.3), SwapTotal: U(68719476736),
			GPUs: []wire.GPU{
				{Name: "NVIDIA H100 80GB HBM3", UtilPercent: F(45), MemUsed: U(12 << 30), MemTotal: U(80 << 30), Temp: F(61)},
				{Name: "NVIDIA H100 80GB HBM3", UtilPercent: F(95), MemUsed: U(70 << 30), MemTotal: U(80 << 30), Temp: F(75)},
			}}},
		// A peer that left, from an old version that sent only its name.
		{Key: "c", Age: 20 * time.Second, Gone: true, Stats: &wire.MsgStats{Host: "old-python"}},
	}
}

const want80 = `HOST             CPU%       LOAD 1/5/15        MEM       SWAP  TEMP    GPU   AGE
alpha            12.5    0.52 0.40 0.31  43% 15.5G    0% 2.0G  48°C           1s
build-server-…  100.0  12.34 10.00 8.50  100% 1.0T  33% 64.0G        2×70%    2s
old-python                                                                  gone

GPU                                        UTIL          MEM  TEMP
build-server-01… #0 NVIDIA H100 80GB HBM3   45%  12.0G/80.0G  61°C
build-server-01… #1 NVIDIA H100 80GB HBM3   95%  70.0G/80.0G  75°C
`

func TestRender80Columns(t *testing.T) {
	got := Render(sampleRows(), 80)
	if got != want80 {
		t.Fatalf("Render at 80 columns:\n%s\nwant:\n%s", got, want80)
	}
	checkWidth(t, got, 80)
}

func TestRenderDefaultWidthIs80(t *testing.T) {
	if got := Render(sampleRows(), 0); got != want80 {
		t.Fatalf("width 0:\n%s", got)
	}
}

// checkWidth fails when a line of s is wider than width runes.
func checkWidth(t *testing.T, s string, width int) {
	t.Helper()
	if !strings.HasSuffix(s, "\n") {
		t.Errorf("output does not end in a newline: %q", s)
	}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > width {
			t.Errorf("line of %d runes at width %d: %q", n, width, line)
		}
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space: %q", line)
		}
	}
}

func TestRenderEveryWidth(t *testing.T) {
	rows := sampleRows()
	rows[0].Stats.Host = strings.Repeat("very-long-host-name-", 10)
	for width := MinWidth; width <= 200; width++ {
		out := Render(rows, width)
		checkWidth(t, out, width)
		lines := strings.Split(out, "\n")
		if !strings.HasPrefix(lines[0], "HOST") || !strings.Contains(lines[0], "CPU%") || !strings.Contains(lines[0], "MEM") || !strings.HasSuffix(lines[0], "AGE") {
			t.Errorf("width %d: header %q lacks a main column", width, lines[0])
		}
		if !strings.HasPrefix(lines[1], "very-long-") || !strings.Contains(lines[1], "…") || !strings.HasSuffix(lines[1], "1s") {
			t.Errorf("width %d: long host row %q", width, lines[1])
		}
		if !strings.HasSuffix(lines[3], "gone") {
			t.Errorf("width %d: gone row %q", width, lines[3])
		}
	}
	// Narrower than MinWidth is laid out at MinWidth.
	if Render(rows, 10) != Render(rows, MinWidth) {
		t.Error("width 10 not raised to MinWidth")
	}
}

func TestRenderWideTerminalKeepsFullNames(t *testing.T) {
	out := Render(sampleRows(), 200)
	if !strings.Contains(out, "build-server-01.very-long-domain.example.lan  100.0  12.34 10.00 8.50") {
		t.Fatalf("full name and load not shown at 200 columns:\n%s", out)
	}
	if strings.Contains(out, "…") {
		t.Fatalf("cut at 200 columns:\n%s", out)
	}
}

func TestRenderCompactsBeforeCuttingNamesShort(t *testing.T) {
	out := Render(sampleRows(), 60)
	want := `HOST               CPU%   LOAD        MEM  TEMP    GPU   AGE
alpha              12.5   0.52  43% 15.5G  48°C           1s
build-server-01…  100.0  12.34  100% 1.0T        2×70%    2s
old-python                                              gone
`
	if !strings.HasPrefix(out, want) {
		t.Fatalf("at 60 columns:\n%s\nwant it to start with:\n%s", out, want)
	}
}

func TestRenderNoTempNoGPUColumns(t *testing.T) {
	rows := []Row{{Key: "k", Age: 3 * time.Second, Stats: &wire.MsgStats{Host: "vm", CPUPercent: F(0),
		LoadAvg: wire.LoadAvg{F(0), F(0.05), F(1)}, MemoryPercent: F(7), MemoryTotal: U(25179361280),
		SwapPercent: F(0), SwapTotal: U(0)}}}
	want := `HOST  CPU%     LOAD 1/5/15       MEM   SWAP  AGE
vm     0.0  0.00 0.05 1.00  7% 23.5G  0% 0B   3s
`
	if got := Render(rows, 80); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderMissingFieldsAreBlank(t *testing.T) {
	rows := []Row{
		{Key: "x", Stats: &wire.MsgStats{Host: "partial", MemoryTotal: U(1 << 30), LoadAvg: wire.LoadAvg{F(1)}}},
		{Key: "10.0.0.7:8227", Stats: &wire.MsgStats{}},
	}
	got := Render(rows, 80)
	want := `HOST           CPU%  LOAD 1/5/15   MEM  SWAP  AGE
partial                 1.00 - -  1.0G         0s
10.0.0.7:8227                                  0s
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderEmpty(t *testing.T) {
	if got := Render(nil, 80); got != "HOST  CPU%  LOAD 1/5/15  MEM  SWAP  AGE\n" {
		t.Fatalf("got %q", got)
	}
}

func TestRenderManyGPUs(t *testing.T) {
	gpus := make([]wire.GPU, 20)
	for i := range gpus {
		gpus[i] = wire.GPU{Name: "G", UtilPercent: F(10)}
	}
	out := Render([]Row{{Key: "k", Stats: &wire.MsgStats{Host: "big", GPUs: gpus}}}, 80)
	if n := strings.Count(out, "big #"); n != maxGPUsShown {
		t.Errorf("%d GPU lines, want %d", n, maxGPUsShown)
	}
	if !strings.Contains(out, "big +4 more") || !strings.Contains(out, "20×10%") {
		t.Errorf("output:\n%s", out)
	}
}

func TestRenderNeutralisesControlCharacters(t *testing.T) {
	rows := []Row{{Key: "k", Stats: &wire.MsgStats{Host: "evil\x1b[2J\nname\r", GPUs: []wire.GPU{{Name: "g\x07pu"}}}}}
	out := Render(rows, 80)
	if strings.ContainsAny(out, "\x1b\r\x07") || strings.Count(out, "\n") != 5 {
		t.Fatalf("control characters passed through: %q", out)
	}
	if !strings.Contains(out, "evil?[2J?name?") || !strings.Contains(out, "g?pu") {
		t.Fatalf("name not kept readable: %q", out)
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtBytes(U(0)), "0B"},
		{fmtBytes(U(1023)), "1023B"},
		{fmtBytes(U(1024)), "1.0K"},
		{fmtBytes(U(16651128832)), "15.5G"},
		{fmtBytes(U(107300000000)), "99.9G"},
		{fmtBytes(U(107400000000)), "100G"},
		{fmtBytes(U(512 << 30)), "512G"},
		{fmtBytes(U(1 << 62)), "4.0E"},
		{fmtBytes(U(1<<64 - 1)), "16.0E"},
		{fmtBytes(wire.Uint{}), ""},
		{fmtPercent(F(99.96)), "100.0"},
		{fmtWholePercent(F(43.5)), "44%"},
		{fmtShare(F(5), wire.Uint{}), "5%"},
		{fmtShare(wire.Float{}, U(1024)), "1.0K"},
		{fmtTemp(F(47.5)), "48°C"},
		{fmtTemp(F(-5)), "-5°C"},
		{fmtLoad(wire.LoadAvg{}, false), ""},
		{fmtLoad(wire.LoadAvg{F(1), {}, F(3)}, false), "1.00 - 3.00"},
		{fmtLoad(wire.LoadAvg{F(1.234), F(2), F(3)}, true), "1.23"},
		{fmtAge(0), "0s"},
		{fmtAge(59999 * time.Millisecond), "59s"},
		{fmtAge(61 * time.Second), "1m"},
		{fmtAge(3 * time.Hour), "3h"},
		{fmtAge(72 * time.Hour), "3d"},
		{fmtGPUSummary(nil), ""},
		{fmtGPUSummary([]wire.GPU{{}}), "1"},
		{fmtGPUSummary([]wire.GPU{{UtilPercent: F(45)}}), "45%"},
		{fmtGPUSummary([]wire.GPU{{UtilPercent: F(40)}, {}, {UtilPercent: F(60)}}), "3×50%"},
		{fmtGPUMem(wire.GPU{MemUsed: U(1 << 30), MemTotal: U(2 << 30)}), "1.0G/2.0G"},
		{fmtGPUMem(wire.GPU{}), ""},
		{truncate("abcdef", 6), "abcdef"},
		{truncate("abcdef", 5), "abcd…"},
		{truncate("äöüß", 3), "äö…"},
		{truncate("abc", 1), "…"},
		{truncate("abc", 0), ""},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

// TestRenderRTTColumn: an RTT column appears once a host has a round trip
// (native peers); a host without one (this machine, a compat peer) shows
// "-". Without any, there is no column (compat mode).
func TestRenderRTTColumn(t *testing.T) {
	rows := []Row{
		{Key: "k", Age: 3 * time.Second, Stats: &wire.MsgStats{Host: "vm", CPUPercent: F(0),
			LoadAvg: wire.LoadAvg{F(0), F(0.05), F(1)}, MemoryPercent: F(7), MemoryTotal: U(25179361280),
			SwapPercent: F(0), SwapTotal: U(0)}, RTT: 250 * time.Microsecond},
		{Key: "self", Stats: &wire.MsgStats{Host: "wm"}},
	}
	want := `HOST  CPU%     LOAD 1/5/15       MEM   SWAP     RTT  AGE
vm     0.0  0.00 0.05 1.00  7% 23.5G  0% 0B  0.25ms   3s
wm                                                -   0s
`
	if got := Render(rows, 80); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	for w := MinWidth; w <= 80; w++ {
		checkWidth(t, Render(rows, w), w)
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "-"}, {250 * time.Microsecond, "0.25ms"}, {12 * time.Millisecond, "12ms"}, {1500 * time.Millisecond, "1.5s"}} {
		if got := fmtRTT(c.d); got != c.want {
			t.Errorf("fmtRTT(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestHostsRTT(t *testing.T) {
	h := NewHosts(nil)
	now := time.Unix(100, 0)
	h.SetRTT("a", time.Millisecond) // unknown: ignored
	h.Update("a", &wire.MsgStats{Host: "a"}, now)
	h.SetRTT("a", 2*time.Millisecond)
	h.Update("a", &wire.MsgStats{Host: "a"}, now.Add(time.Second)) // a new sample keeps it
	if rows := h.Rows(now); len(rows) != 1 || rows[0].RTT != 2*time.Millisecond {
		t.Fatalf("rows %+v", rows)
	}
}
