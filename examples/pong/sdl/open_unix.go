//go:build !windows

package sdl

import "github.com/ebitengine/purego"

// openLib loads a shared library by name (dlopen).
func openLib(name string) (uintptr, error) {
	return purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
}

// libSymbol finds a function of a loaded library (dlsym).
func libSymbol(handle uintptr, name string) (uintptr, error) {
	return purego.Dlsym(handle, name)
}
