package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/cablecar-go/cablecar/internal/leakcheck"
	"github.com/cablecar-go/cablecar/internal/proctest"
)

// pongBin is the pong program, built once by TestMain without cgo.
var pongBin string

func TestMain(m *testing.M) {
	if bin := os.Getenv("PONG_TEST_BIN"); bin != "" { // a test run by a test
		pongBin = bin
		os.Exit(leakcheck.Verify(m.Run()))
	}
	dir, err := os.MkdirTemp("", "pong-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if pongBin, err = proctest.Build(dir, "pong", ".", "CGO_ENABLED=0"); err != nil { // purego needs no cgo
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(leakcheck.Verify(code))
}

// proc is a running pong process whose output is collected line by line.
type proc = proctest.Proc

// startPong starts pong with args and extra environment variables. The test
// kills it at the end if it is still running.
func startPong(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	return proctest.Start(t, name, pongBin, env, args...)
}
