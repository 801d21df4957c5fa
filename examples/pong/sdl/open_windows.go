//go:build windows

package sdl

import "syscall"

// openLib loads a DLL by name (LoadLibrary).
func openLib(name string) (uintptr, error) {
	h, err := syscall.LoadLibrary(name)
	return uintptr(h), err
}

// libSymbol finds a function of a loaded DLL (GetProcAddress).
func libSymbol(handle uintptr, name string) (uintptr, error) {
	return syscall.GetProcAddress(syscall.Handle(handle), name)
}
