//go:build !linux

package room

func runRoomChild() bool { return false }
