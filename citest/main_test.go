package citest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// queuefixBin is the queuefix binary built from this checkout.
var queuefixBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "citest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	queuefixBin = filepath.Join(dir, "queuefix")
	os.Setenv("QUEUEFIX_CACHE", filepath.Join(dir, "cache")) // keep -load=auto's stamps out of the user's cache
	build := exec.Command("go", "build", "-C", "..", "-o", queuefixBin, "./cmd/queuefix")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build queuefix: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// leakyCopy copies examples/leaky, which uses the real client-go, to a
// temporary directory and returns it.
func leakyCopy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("..", "examples", "leaky")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// runQueuefix runs queuefix in dir and returns its stdout and exit status.
func runQueuefix(t *testing.T, dir string, args ...string) ([]byte, int) {
	t.Helper()
	cmd := exec.Command(queuefixBin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code == 2 {
		t.Fatalf("queuefix %v in %s failed:\n%s", args, dir, stderr.Bytes())
	}
	return stdout.Bytes(), code
}
