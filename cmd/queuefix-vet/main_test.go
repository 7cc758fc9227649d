package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoVetAndFix runs go vet -vettool and go fix -fixtool with
// queuefix-vet on a copy of examples/leaky: vet must report the worker
// without Forget, fix must insert it where queuefix does, and vet must be
// clean of it afterwards.
func TestGoVetAndFix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/leaky with client-go")
	}
	bin := filepath.Join(t.TempDir(), "queuefix-vet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := copyDir(t, filepath.Join("..", "..", "examples", "leaky"))

	out, err := goCmd(dir, "vet", "-vettool="+bin, "./...")
	want := "controller.go:113:3: worker never calls Forget after a successful c.sync"
	if err == nil || !strings.Contains(out, want) {
		t.Fatalf("go vet -vettool: err %v, want a failure reporting\n%s\ngot:\n%s", err, want, out)
	}

	if out, err := goCmd(dir, "fix", "-fixtool="+bin, "./..."); err != nil {
		t.Fatalf("go fix -fixtool: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "controller.go"))
	if err != nil {
		t.Fatal(err)
	}
	if fixed := "\tif err == nil {\n\t\tc.queue.Forget(key)\n\t\treturn true\n\t}\n"; !strings.Contains(string(src), fixed) {
		t.Errorf("go fix did not insert Forget in the success branch; want\n%s\ngot:\n%s", fixed, src)
	}
	if out, err := goCmd(dir, "vet", "-vettool="+bin, "./..."); strings.Contains(out, "Forget") {
		t.Errorf("go vet after the fix still reports Forget (err %v):\n%s", err, out)
	}
}

func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755)
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
