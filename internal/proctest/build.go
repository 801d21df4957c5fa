package proctest

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// Build runs go build -o dir/name pkg, with env added to this process's
// environment (CGO_ENABLED=0, say), and returns the binary's path. Its
// error holds the build's output. A TestMain calls it once per test binary.
func Build(dir, name, pkg string, env ...string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s (%s): %w\n%s", pkg, strings.Join(env, " "), err, out)
	}
	return bin, nil
}

// BuildAll builds programs into dir: pkgs maps a binary name to the import
// path of a main package, the last element of that path (all are built by
// one go build); modules maps a binary name to the directory of a nested
// module's main package, built in that directory, so with its own go.mod,
// with or without go.work (the test's module cannot import a module that
// requires it). Its error holds the build's output.
func BuildAll(dir string, pkgs, modules map[string]string) error {
	if len(pkgs) > 0 {
		args := []string{"build", "-o", dir + string(filepath.Separator)}
		for name, pkg := range pkgs {
			if path.Base(pkg) != name {
				return fmt.Errorf("go build names the binary of %s %s, not %s", pkg, path.Base(pkg), name)
			}
			args = append(args, pkg)
		}
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("building the programs: %w\n%s", err, out)
		}
	}
	for name, mod := range modules {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), ".")
		cmd.Dir = mod
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s in %s: %w\n%s", name, mod, err, out)
		}
	}
	return nil
}

// dir is the directory Main built the programs into.
var dir string

// Main is the body of a TestMain whose tests run the programs of pkgs and
// modules (see BuildAll): it builds them into a new temporary directory,
// runs the tests, which find the programs with Bin, and removes the
// directory. It returns the exit code: m.Run's, or 1 when the programs
// could not be built.
func Main(m *testing.M, pkgs, modules map[string]string) int {
	d, err := os.MkdirTemp("", "proctest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(d)
	dir = d
	if err := BuildAll(d, pkgs, modules); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// Bin returns the path of a program Main built.
func Bin(name string) string { return filepath.Join(dir, name) }
