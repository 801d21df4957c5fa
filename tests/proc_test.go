package tests

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// programs maps a binary name to its package path; TestMain builds them
// once, and proctest.Bin gives their paths.
var programs = map[string]string{
	"echo": "github.com/cablecar-go/cablecar/examples/echo",
	"pong": "github.com/cablecar-go/cablecar/examples/pong",
	// roompeer: one room.Room driven by lines on stdin (room_*_test.go).
	"roompeer": "github.com/cablecar-go/cablecar/tests/roompeer",
}

// modulePrograms maps a binary name to the directory of a nested module
// of this repository whose main package it is (this module cannot import
// them: they require it).
var modulePrograms = map[string]string{
	"chat": filepath.Join("..", "examples", "chat"),
}

func TestMain(m *testing.M) {
	os.Exit(leakcheck.Verify(proctest.Main(m, programs, modulePrograms)))
}

// bin returns the path of a program built by TestMain.
func bin(name string) string { return proctest.Bin(name) }

// proc is a running program whose output lines (stdout and stderr) are
// collected.
type proc = proctest.Proc

// start runs a program (a path or a name in PATH) with args; its stdout and
// stderr are collected. The process is killed when the test ends.
func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	return proctest.Run(t, name, args...)
}
