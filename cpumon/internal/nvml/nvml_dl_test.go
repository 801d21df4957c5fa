//go:build (darwin || ((freebsd || netbsd) && cgo) || (linux && (386 || amd64 || arm || arm64 || loong64 || ppc64le || riscv64))) && !android && !faketime

package nvml

import (
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ebitengine/purego"
)

const gib = 1 << 30

// buildFake compiles testdata/fakenvml.c with the given -D switches into a
// shared library in a fresh temporary directory and returns its path. It
// skips the test where gcc is missing.
func buildFake(t *testing.T, defines ...string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found: cannot build the fake NVML library")
	}
	out := filepath.Join(t.TempDir(), "libfakenvml.so")
	args := append([]string{"-shared", "-fPIC", "-O1", "-o", out, "testdata/fakenvml.c"}, defines...)
	if b, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out
}

// shutdownCalls asks the fake library at path how often nvmlShutdown ran.
func shutdownCalls(t *testing.T, path string) int32 {
	t.Helper()
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		t.Fatal(err)
	}
	var calls func() int32
	purego.RegisterLibFunc(&calls, h, "fake_shutdown_calls")
	return calls()
}

var (
	gpu0Full = GPU{Index: 0, Name: "Fake GPU Zero 80GB", UtilPercent: 37, HasUtil: true,
		MemUsed: 12 * gib, MemTotal: 80 * gib, HasMem: true, TempC: 61, HasTemp: true}
	gpu1Full = GPU{Index: 1, Name: "Fake GPU One",
		MemUsed: 1 * gib, MemTotal: 24 * gib, HasMem: true, TempC: 45, HasTemp: true}
)

func TestFakeLibrary(t *testing.T) {
	tests := []struct {
		name    string
		defines []string
		want    []GPU
	}{
		{"all symbols", nil, []GPU{gpu0Full, gpu1Full}},
		{"no TemperatureV falls back to the deprecated call", []string{"-DNO_TEMPV"},
			[]GPU{withTemp(gpu0Full, 59), withTemp(gpu1Full, 44)}},
		{"no utilisation: figure absent", []string{"-DNO_UTIL"},
			[]GPU{noUtil(gpu0Full), gpu1Full}},
		{"only the required symbols", []string{"-DNO_TEMPV", "-DNO_TEMP", "-DNO_UTIL", "-DNO_MEM", "-DNO_NAME"},
			[]GPU{{Index: 0}, {Index: 1}}},
		{"unversioned init, count and handle", []string{"-DV1_ONLY"}, []GPU{gpu0Full, gpu1Full}},
		{"no GPUs", []string{"-DNO_GPUS"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := buildFake(t, tt.defines...)
			lib, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			got := lib.GPUs()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GPUs() =\n%+v\nwant\n%+v", got, tt.want)
			}
			// A second read gives the same figures.
			if again := lib.GPUs(); !reflect.DeepEqual(again, got) {
				t.Errorf("second GPUs() = %+v", again)
			}
			if err := lib.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := lib.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if n := shutdownCalls(t, path); n != 1 {
				t.Errorf("nvmlShutdown called %d times, want 1", n)
			}
			if g := lib.GPUs(); g != nil {
				t.Errorf("GPUs() after Close = %+v", g)
			}
		})
	}
}

func withTemp(g GPU, c int32) GPU { g.TempC = c; return g }
func noUtil(g GPU) GPU            { g.UtilPercent, g.HasUtil = 0, false; return g }

func TestOpenFails(t *testing.T) {
	tests := []struct {
		name    string
		path    func(t *testing.T) string
		errText string
	}{
		{"library missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "libnvidia-ml.so.1") }, ""},
		{"not a library", func(t *testing.T) string { return "testdata/fakenvml.c" }, ""},
		{"no init symbol", func(t *testing.T) string { return buildFake(t, "-DNO_INIT") }, "lacks nvmlInit_v2"},
		{"init fails", func(t *testing.T) string { return buildFake(t, "-DINIT_FAILS") }, "returned 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib, err := Open(tt.path(t))
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Open error %v, want ErrUnavailable", err)
			}
			if !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("error %q lacks %q", err, tt.errText)
			}
			if lib != nil {
				t.Fatal("Open returned a Library with its error")
			}
			if g := lib.GPUs(); g != nil {
				t.Fatalf("nil Library has GPUs %+v", g)
			}
			if err := lib.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestDefaultPathHere opens the real library name: on a machine without an
// NVIDIA driver that must fail cleanly; with one, it must list GPUs that
// have a name. Nothing is asserted about the figures.
func TestDefaultPathHere(t *testing.T) {
	lib, err := Open("")
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Open(\"\") = %v, want ErrUnavailable", err)
		}
		t.Logf("no NVML here: %v", err)
		return
	}
	defer lib.Close()
	for _, g := range lib.GPUs() {
		t.Logf("GPU %+v", g)
		if g.Name == "" {
			t.Errorf("GPU %d without a name", g.Index)
		}
	}
}

func TestTemperatureStructLayout(t *testing.T) {
	var v nvmlTemperatureV1
	if got := reflect.TypeOf(v).Size(); got != 12 {
		t.Fatalf("nvmlTemperature_v1_t is 12 bytes in C, Go mirror is %d", got)
	}
	if nvmlTemperatureV1Version != 0x0100000C {
		t.Fatalf("version constant %#x", nvmlTemperatureV1Version)
	}
	if got := reflect.TypeOf(nvmlMemory{}).Size(); got != 24 {
		t.Fatalf("nvmlMemory_t mirror is %d bytes, want 24", got)
	}
	if got := reflect.TypeOf(nvmlUtilization{}).Size(); got != 8 {
		t.Fatalf("nvmlUtilization_t mirror is %d bytes, want 8", got)
	}
}
