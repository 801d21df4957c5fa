// Package nvml reads NVIDIA GPU figures (name, utilisation, memory,
// temperature) from NVML, the library behind nvidia-smi, loaded at run time
// with github.com/ebitengine/purego: no cgo, and no dependency on the
// library at build time. Only cpumon imports it, so the networking packages
// stay free of it.
//
// Open loads the library (libnvidia-ml.so.1 by default) with Dlopen, looks up
// each function with Dlsym and binds it with purego.RegisterFunc. A missing
// symbol is "not available", never a panic: without nvmlInit_v2 (or
// nvmlInit), nvmlDeviceGetCount_v2 or nvmlDeviceGetHandleByIndex_v2 (or
// their unversioned forms) Open fails with ErrUnavailable; without one of the
// per-device functions that figure is absent for every GPU. The temperature
// comes from nvmlDeviceGetTemperatureV, or from the deprecated
// nvmlDeviceGetTemperature when the former is missing or fails. The library
// is never Dlclosed: a process that once loaded NVML keeps it mapped.
//
// The loader is built where purego's Dlopen works out of the box: Linux
// (386, amd64, arm, arm64, loong64, ppc64le, riscv64), macOS, and FreeBSD
// and NetBSD when built with cgo (without it purego needs a special
// -gcflags there). Elsewhere Open always returns ErrUnavailable.
package nvml
