//go:build !linux

package connector

// runNetnsChild: the multi-process and namespace tests are Linux-only.
func runNetnsChild() bool { return false }
