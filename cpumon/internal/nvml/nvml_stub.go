//go:build !((darwin || ((freebsd || netbsd) && cgo) || (linux && (386 || amd64 || arm || arm64 || loong64 || ppc64le || riscv64))) && !android && !faketime)

package nvml

import "fmt"

// Library is an initialised NVML; on this system there never is one.
type Library struct{}

// Open always fails on this system: purego cannot Dlopen here.
func Open(path string) (*Library, error) {
	return nil, fmt.Errorf("%w: no dynamic loading on this system", ErrUnavailable)
}

// GPUs returns nil.
func (l *Library) GPUs() []GPU { return nil }

// Close does nothing.
func (l *Library) Close() error { return nil }
