package stats

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cablecar-go/cablecar/cpumon/internal/nvml"
	"github.com/cablecar-go/cablecar/cpumon/wire"
	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/host"
)

// TestSampleFillsEveryField reads this machine: every figure cable_car
// sends, and the native extras, are present and in range; temp and GPUs,
// which a machine may lack, are either sane or cleanly absent.
func TestSampleFillsEveryField(t *testing.T) {
	ctx := context.Background()
	s := sampler{host: "testhost", interval: 3 * time.Second, logf: func(msg string, args ...any) { t.Logf(msg+" %v", args) }}
	t0 := time.Now()
	s.prime(ctx, t0)
	m := s.sample(ctx, t0.Add(time.Second))

	if m.Host != "testhost" {
		t.Errorf("Host = %q", m.Host)
	}
	percent := func(name string, f wire.Float) {
		t.Helper()
		if !f.Valid || f.V < 0 || f.V > 100 || f.V != math.Round(f.V*10)/10 {
			t.Errorf("%s = %+v, want a percentage to one decimal", name, f)
		}
	}
	percent("CPUPercent", m.CPUPercent)
	percent("MemoryPercent", m.MemoryPercent)
	percent("SwapPercent", m.SwapPercent)
	for i, l := range m.LoadAvg {
		if !l.Valid || l.V < 0 {
			t.Errorf("LoadAvg[%d] = %+v", i, l)
		}
	}
	if !m.MemoryTotal.Valid || m.MemoryTotal.V < 1<<20 {
		t.Errorf("MemoryTotal = %+v", m.MemoryTotal)
	}
	if !m.SwapTotal.Valid {
		t.Errorf("SwapTotal absent")
	}
	if m.SwapTotal.V == 0 && m.SwapPercent.V != 0 {
		t.Errorf("no swap but SwapPercent = %v", m.SwapPercent.V)
	}
	if !m.Uptime.Valid || m.Uptime.V == 0 {
		t.Errorf("Uptime = %+v", m.Uptime)
	}
	if !m.NetRxRate.Valid || !m.NetTxRate.Valid || m.NetRxRate.V < 0 || m.NetTxRate.V < 0 {
		t.Errorf("net rates = %+v / %+v", m.NetRxRate, m.NetTxRate)
	}
	if m.Interval != wire.F(3) {
		t.Errorf("Interval = %+v", m.Interval)
	}

	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if m.Temp.Valid {
		if m.Temp.V < -40 || m.Temp.V > 150 {
			t.Errorf("Temp = %v °C", m.Temp.V)
		}
	} else if strings.Contains(string(b), `"temp"`) {
		t.Errorf("absent temp is in the JSON: %s", b)
	}
	if m.GPUs != nil {
		t.Errorf("GPUs without a GPU source: %+v", m.GPUs)
	}
	if strings.Contains(string(b), `"gpus"`) {
		t.Errorf("absent GPUs in the JSON: %s", b)
	}
	for _, key := range []string{"host", "cpu_percent", "load_avg", "memory_percent", "memory_total", "swap_percent", "swap_total", "uptime", "net_rx_rate", "net_tx_rate", "interval"} {
		if !strings.Contains(string(b), `"`+key+`":`) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	t.Logf("sample: %s", b)
}

// TestTempAbsentWithoutSensors runs the sampler against an empty sysfs
// (gopsutil's HOST_SYS), as on a VM without sensors.
func TestTempAbsentWithoutSensors(t *testing.T) {
	t.Setenv("HOST_SYS", t.TempDir())
	s := sampler{logf: func(string, ...any) {}}
	m := s.sample(context.Background(), time.Now())
	if m.Temp.Valid {
		t.Fatalf("Temp = %+v with no sensors", m.Temp)
	}
}

// TestTempFromFakeHwmon runs the sampler against a fake sysfs with an
// AMD and an Intel sensor: the Intel coretemp one wins, as in cpu_mon.
func TestTempFromFakeHwmon(t *testing.T) {
	sys := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		p := sys + "/class/hwmon/" + path
		if err := os.MkdirAll(p[:strings.LastIndex(p, "/")], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("hwmon0/name", "k10temp\n")
	write("hwmon0/temp1_input", "70000\n")
	write("hwmon1/name", "coretemp\n")
	write("hwmon1/temp1_label", "Package id 0\n")
	write("hwmon1/temp1_input", "47500\n")
	write("hwmon1/temp2_label", "Core 0\n")
	write("hwmon1/temp2_input", "45000\n")
	t.Setenv("HOST_SYS", sys)
	s := sampler{logf: func(string, ...any) {}}
	m := s.sample(context.Background(), time.Now())
	if m.Temp != wire.F(47.5) {
		t.Fatalf("Temp = %+v, want 47.5 from coretemp's first sensor", m.Temp)
	}
}

func TestPickCPUTemp(t *testing.T) {
	ts := func(kv ...any) []host.TemperatureStat {
		var out []host.TemperatureStat
		for i := 0; i < len(kv); i += 2 {
			out = append(out, host.TemperatureStat{SensorKey: kv[i].(string), Temperature: kv[i+1].(float64)})
		}
		return out
	}
	tests := []struct {
		name  string
		in    []host.TemperatureStat
		want  float64
		found bool
	}{
		{"none", nil, 0, false},
		{"only a disk and a wifi card", ts("nvme_composite", 40.0, "iwlwifi_1", 39.0), 0, false},
		{"coretemp first entry", ts("acpitz", 30.0, "coretemp_package_id_0", 52.0, "coretemp_core_0", 50.0), 52, true},
		{"coretemp beats k10temp", ts("k10temp_tctl", 60.0, "coretemp_core_0", 50.0), 50, true},
		{"amd", ts("nvme_composite", 40.0, "k10temp_tctl", 61.5), 61.5, true},
		{"raspberry pi thermal zone", ts("cpu_thermal", 48.3), 48.3, true},
		{"prefix must be the whole driver name", ts("coretempx", 10.0), 0, false},
		{"broken sensor skipped", ts("coretemp_core_0", -300.0, "coretemp_core_1", 44.0), 44, true},
	}
	for _, tt := range tests {
		got, ok := pickCPUTemp(tt.in)
		if got != tt.want || ok != tt.found {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, got, ok, tt.want, tt.found)
		}
	}
}

func TestCPUBusyPercent(t *testing.T) {
	a := cpu.TimesStat{User: 100, System: 50, Idle: 800, Iowait: 50}
	tests := []struct {
		name string
		b    cpu.TimesStat
		want float64
	}{
		{"half busy", cpu.TimesStat{User: 150, System: 75, Idle: 850, Iowait: 75}, 50},
		{"idle", cpu.TimesStat{User: 100, System: 50, Idle: 900, Iowait: 50}, 0},
		{"all busy", cpu.TimesStat{User: 200, System: 50, Idle: 800, Iowait: 50}, 100},
		{"steal counts as busy", cpu.TimesStat{User: 100, System: 50, Idle: 800, Iowait: 50, Steal: 100}, 100},
		{"guest is inside user, not added", cpu.TimesStat{User: 150, System: 50, Idle: 850, Iowait: 50, Guest: 50}, 50},
		{"counters went back", cpu.TimesStat{User: 10, Idle: 10}, 0},
	}
	for _, tt := range tests {
		if got := cpuBusyPercent(a, tt.b); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNetRates(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := netCounters{rx: 1000, tx: 500, at: t0}
	if rx, tx, ok := netRates(a, netCounters{rx: 4000, tx: 1100, at: t0.Add(2 * time.Second)}); !ok || rx != 1500 || tx != 300 {
		t.Errorf("rates %v %v %v", rx, tx, ok)
	}
	if _, _, ok := netRates(a, netCounters{rx: 10, tx: 600, at: t0.Add(time.Second)}); ok {
		t.Error("a counter that went back gave a rate")
	}
	if _, _, ok := netRates(a, netCounters{rx: 2000, tx: 600, at: t0}); ok {
		t.Error("no elapsed time gave a rate")
	}
}

func TestConvertGPUs(t *testing.T) {
	in := []nvml.GPU{
		{Index: 0, Name: "A", UtilPercent: 37, HasUtil: true, MemUsed: 1, MemTotal: 2, HasMem: true, TempC: 61, HasTemp: true},
		{Index: 1, Name: "B", UtilPercent: 99}, // figures without their Has flags are absent
	}
	want := []wire.GPU{
		{Name: "A", UtilPercent: wire.F(37), MemUsed: wire.U(1), MemTotal: wire.U(2), Temp: wire.F(61)},
		{Name: "B"},
	}
	if got := convertGPUs(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
	if got := convertGPUs(nil); got != nil {
		t.Fatalf("no GPUs gave %+v", got)
	}
}
