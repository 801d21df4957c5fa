package nvml

// DefaultPath is the library Open loads when given "": the soname NVIDIA's
// driver installs, found through the dynamic loader's search path.
const DefaultPath = "libnvidia-ml.so.1"

// GPU is one device's figures. A figure whose Has flag is false could not be
// read (function missing from the library, or not supported by the device).
type GPU struct {
	Index int    // NVML device index
	Name  string // product name; "" when it could not be read

	UtilPercent uint32 // share of time a kernel ran over the last sample period, 0..100
	HasUtil     bool

	MemUsed  uint64 // bytes (nvmlMemory_t.used)
	MemTotal uint64 // bytes (nvmlMemory_t.total)
	HasMem   bool

	TempC   int32 // GPU core temperature, °C
	HasTemp bool
}
