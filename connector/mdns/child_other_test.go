//go:build !linux

package mdns

func runNetnsChild() bool { return false }
