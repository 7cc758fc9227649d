package gclplugin_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGolangciLint builds golangci-lint with the plugin compiled in, as
// `golangci-lint custom` does from .custom-gcl.yml (customGolangciLint),
// runs it on a fixture module and checks
// the diagnostics, then runs --fix and checks that every file is what
// queuefix -w makes of a copy of the fixture, and that a second run is
// clean. The fixture has a handler registered in one file whose call is in
// another, and one registered by a builder in another package: the
// diagnostic, and the fix's edits, must be in the call's file
// (golangci-lint applies a fix's edits to the diagnostic's file).
func TestGolangciLint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint")
	}
	bin := customGolangciLint(t).bin
	dir := fixture(t)
	want := queuefixWrite(t, fixture(t))

	out, code := lint(t, bin, dir, "run", "./...")
	for _, w := range []string{
		"ctrl/ctrl.go:24:48: addratelimited: c.queue.AddRateLimited is reached only from event handlers: call c.queue.Add instead (rate limiting is for retries after errors); handler path: cache.ResourceEventHandlerFuncs.AddFunc (ctrl.go:18:61) -> ctrl.(*C).enqueue",
		"ctrl/events.go:7:10: addratelimited: c.queue.AddRateLimited is reached only from event handlers: call c.queue.Add instead (rate limiting is for retries after errors); handler path: cache.ResourceEventHandlerFuncs.UpdateFunc (ctrl.go:18:84) -> ctrl.(*C).onUpdate",
		"ctrl/events.go:11:10: addratelimited: c.queue.AddRateLimited is reached only from event handlers: call c.queue.Add instead (rate limiting is for retries after errors); handler path: cache.ResourceEventHandlerFuncs.DeleteFunc (ctrl.go:20:",
		"ctrl/ctrl.go:37:2: forget: worker never calls Forget after a successful c.sync",
		"ctrl/ctrl.go:58:16: forget: the item of c.queue.Get escapes where it is handed to a goroutine",
		"(queuefix)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("golangci-lint run lacks %q (exit %d):\n%s", w, code, out)
		}
	}
	if code != 1 {
		t.Errorf("golangci-lint run: exit %d, want 1 (issues found)\n%s", code, out)
	}
	if strings.Contains(out, "(related information)") {
		t.Errorf("golangci-lint run prints the frames of a handler path as issues of their own:\n%s", out)
	}

	out, code = lint(t, bin, dir, "run", "--fix", "./...")
	for name, data := range readTree(t, want) {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != data {
			t.Errorf("after run --fix (exit %d):\n%s\n%s (err %v):\n%s\nwant (queuefix -w):\n%s", code, out, name, err, got, data)
		}
	}
	out, _ = lint(t, bin, dir, "run", "./...")
	if strings.Contains(out, "Forget after a successful") || strings.Contains(out, "addratelimited") {
		t.Errorf("a fixed site is still reported:\n%s", out)
	}
}

// queuefixWrite runs queuefix -w on the module in dir and returns dir. It
// checks that queuefix changed the files the fixture is about, so that
// comparing with it cannot pass on two untouched copies.
func queuefixWrite(t *testing.T, dir string) string {
	t.Helper()
	qf := filepath.Join(t.TempDir(), "queuefix")
	build := exec.Command("go", "build", "-o", qf, "./cmd/queuefix")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build queuefix: %v\n%s", err, out)
	}
	before := readTree(t, dir)
	cmd := exec.Command(qf, "-w", "./...")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
		t.Fatalf("queuefix -w: %v\n%s", err, out)
	}
	var changed []string
	for name, data := range readTree(t, dir) {
		if before[name] != data {
			changed = append(changed, name)
		}
	}
	sort.Strings(changed)
	if got, want := strings.Join(changed, " "), "ctrl/ctrl.go ctrl/events.go"; got != want {
		t.Fatalf("queuefix -w changed %q, want %q\n%s", got, want, out)
	}
	return dir
}

// readTree returns the files below dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixture copies testdata/fixture to a temporary module that uses the
// repository's client-go stubs.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	stubs, err := filepath.Abs(filepath.Join("..", "testdata", "stubs"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"go.mod": fmt.Sprintf(`module example.com/fixture

go 1.22

require (
	k8s.io/apimachinery v0.0.0
	k8s.io/client-go v0.0.0
)

replace (
	k8s.io/apimachinery => %[1]s/apimachinery
	k8s.io/client-go => %[1]s/client-go
)
`, stubs)}
	for name, data := range readTree(t, filepath.Join("testdata", "fixture")) {
		files[name] = data
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lint(t *testing.T, bin, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	// golangci-lint locks $TMPDIR/golangci-lint.lock: a run of anyone else's
	// on this machine would make it exit 3, "parallel golangci-lint is running".
	cmd.Env = append(os.Environ(), "GOLANGCI_LINT_CACHE="+t.TempDir(), "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}
