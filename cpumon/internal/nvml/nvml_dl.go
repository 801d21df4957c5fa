//go:build (darwin || ((freebsd || netbsd) && cgo) || (linux && (386 || amd64 || arm || arm64 || loong64 || ppc64le || riscv64))) && !android && !faketime

package nvml

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/ebitengine/purego"
)

// NVML return codes and constants used here (nvml.h).
const (
	nvmlSuccess            = 0
	nvmlTemperatureGPU     = 0  // NVML_TEMPERATURE_GPU
	nvmlDeviceNameV2Buffer = 96 // NVML_DEVICE_NAME_V2_BUFFER_SIZE
	maxDevices             = 64 // a bound on what a broken library may claim
)

// nvmlUtilization mirrors nvmlUtilization_t: { unsigned int gpu, memory; }.
type nvmlUtilization struct {
	GPU    uint32
	Memory uint32
}

// nvmlMemory mirrors nvmlMemory_t (v1): { unsigned long long total, free, used; }.
type nvmlMemory struct {
	Total uint64
	Free  uint64
	Used  uint64
}

// nvmlTemperatureV1 mirrors nvmlTemperature_v1_t:
// { unsigned int version; nvmlTemperatureSensors_t sensorType; int temperature; }.
type nvmlTemperatureV1 struct {
	Version    uint32
	SensorType int32
	Temp       int32
}

// nvmlTemperatureV1Version is nvmlTemperature_v1, i.e.
// NVML_STRUCT_VERSION(Temperature, 1) = sizeof(nvmlTemperature_v1_t) | 1<<24.
const nvmlTemperatureV1Version = 12 | 1<<24

// Library is an initialised NVML. Its methods are safe for concurrent use.
type Library struct {
	mu     sync.Mutex
	closed bool

	shutdown       func() int32
	count          func(*uint32) int32
	handleByIndex  func(uint32, *uintptr) int32
	name           func(uintptr, *byte, uint32) int32      // may be nil
	utilization    func(uintptr, *nvmlUtilization) int32   // may be nil
	memoryInfo     func(uintptr, *nvmlMemory) int32        // may be nil
	temperatureV   func(uintptr, *nvmlTemperatureV1) int32 // may be nil
	temperatureOld func(uintptr, int32, *uint32) int32     // may be nil
}

// Open loads NVML from path ("" means DefaultPath) and calls nvmlInit. On
// any failure it returns a nil *Library and an error wrapping
// ErrUnavailable. Open may take a while (nvmlInit wakes the driver); call it
// off any latency-sensitive goroutine. Close the Library when done.
func Open(path string) (*Library, error) {
	if path == "" {
		path = DefaultPath
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	// From here on the handle stays open for good (never Dlclose: NVML's own
	// threads and atexit handlers may still point into it).
	l := &Library{}
	var init func() int32
	missing := ""
	if !bind(h, &init, "nvmlInit_v2", "nvmlInit") {
		missing = "nvmlInit_v2"
	}
	if !bind(h, &l.shutdown, "nvmlShutdown") {
		missing = "nvmlShutdown"
	}
	if !bind(h, &l.count, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount") {
		missing = "nvmlDeviceGetCount_v2"
	}
	if !bind(h, &l.handleByIndex, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex") {
		missing = "nvmlDeviceGetHandleByIndex_v2"
	}
	if missing != "" {
		return nil, fmt.Errorf("%w: %s lacks %s", ErrUnavailable, path, missing)
	}
	bind(h, &l.name, "nvmlDeviceGetName")
	bind(h, &l.utilization, "nvmlDeviceGetUtilizationRates")
	bind(h, &l.memoryInfo, "nvmlDeviceGetMemoryInfo")
	bind(h, &l.temperatureV, "nvmlDeviceGetTemperatureV")
	bind(h, &l.temperatureOld, "nvmlDeviceGetTemperature")

	if rc := init(); rc != nvmlSuccess {
		return nil, fmt.Errorf("%w: nvmlInit returned %d", ErrUnavailable, rc)
	}
	return l, nil
}

// bind sets *fptr to the first of names the library exports and reports
// whether it found one. It uses Dlsym + RegisterFunc, not RegisterLibFunc,
// which panics on a missing symbol.
func bind(handle uintptr, fptr any, names ...string) bool {
	for _, name := range names {
		sym, err := purego.Dlsym(handle, name)
		if err != nil || sym == 0 {
			continue
		}
		purego.RegisterFunc(fptr, sym)
		return true
	}
	return false
}

// GPUs returns the figures of every device NVML reports, in index order;
// nil when there are none, when the count cannot be read, or after Close.
// A nil *Library has no GPUs.
func (l *Library) GPUs() []GPU {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	var n uint32
	if l.count(&n) != nvmlSuccess || n == 0 {
		return nil
	}
	n = min(n, maxDevices)
	gpus := make([]GPU, 0, n)
	for i := range n {
		var dev uintptr
		if l.handleByIndex(i, &dev) != nvmlSuccess {
			continue
		}
		gpus = append(gpus, l.device(int(i), dev))
	}
	if len(gpus) == 0 {
		return nil
	}
	return gpus
}

// device reads one device's figures; a failing call leaves its figure absent.
func (l *Library) device(index int, dev uintptr) GPU {
	g := GPU{Index: index}
	if l.name != nil {
		var buf [nvmlDeviceNameV2Buffer]byte
		if l.name(dev, &buf[0], uint32(len(buf))) == nvmlSuccess {
			if i := bytes.IndexByte(buf[:], 0); i >= 0 {
				g.Name = string(buf[:i])
			}
		}
	}
	if l.utilization != nil {
		var u nvmlUtilization
		if l.utilization(dev, &u) == nvmlSuccess {
			g.UtilPercent, g.HasUtil = u.GPU, true
		}
	}
	if l.memoryInfo != nil {
		var m nvmlMemory
		if l.memoryInfo(dev, &m) == nvmlSuccess {
			g.MemUsed, g.MemTotal, g.HasMem = m.Used, m.Total, true
		}
	}
	if l.temperatureV != nil {
		t := nvmlTemperatureV1{Version: nvmlTemperatureV1Version, SensorType: nvmlTemperatureGPU}
		if l.temperatureV(dev, &t) == nvmlSuccess {
			g.TempC, g.HasTemp = t.Temp, true
		}
	}
	if !g.HasTemp && l.temperatureOld != nil {
		var t uint32
		if l.temperatureOld(dev, nvmlTemperatureGPU, &t) == nvmlSuccess {
			g.TempC, g.HasTemp = int32(t), true
		}
	}
	return g
}

// Close calls nvmlShutdown once; later calls do nothing. GPUs returns nil
// afterwards. The library itself stays loaded.
func (l *Library) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if rc := l.shutdown(); rc != nvmlSuccess {
		return fmt.Errorf("nvml: nvmlShutdown returned %d", rc)
	}
	return nil
}
