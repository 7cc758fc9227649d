package gclplugin_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolangciLint builds golangci-lint with the plugin compiled in, as
// `golangci-lint custom` does from .custom-gcl.yml (customGolangciLint),
// runs it on a fixture module and checks
// the diagnostics, then runs --fix and checks the fixed code against the
// golden file, and that a second run is clean.
func TestGolangciLint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint")
	}
	bin := customGolangciLint(t).bin
	dir := fixture(t)

	out, code := lint(t, bin, dir, "run", "./...")
	want := []string{
		"ctrl/ctrl.go:16:63: addratelimited: event handler cache.ResourceEventHandlerFuncs.AddFunc reaches AddRateLimited at ctrl.go:20:40: handler path: ctrl.(*C).enqueue; use Add",
		"ctrl/ctrl.go:33:2: forget: worker never calls Forget after a successful c.sync",
		"ctrl/ctrl.go:54:16: forget: the item of c.queue.Get escapes where it is handed to a goroutine",
		"(queuefix)",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("golangci-lint run lacks %q (exit %d):\n%s", w, code, out)
		}
	}
	if code != 1 {
		t.Errorf("golangci-lint run: exit %d, want 1 (issues found)\n%s", code, out)
	}

	out, code = lint(t, bin, dir, "run", "--fix", "./...")
	got, err := os.ReadFile(filepath.Join(dir, "ctrl", "ctrl.go"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "fixture", "ctrl", "ctrl.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(golden) {
		t.Errorf("after run --fix (exit %d):\n%s\nctrl.go:\n%s\nwant:\n%s", code, out, got, golden)
	}
	out, _ = lint(t, bin, dir, "run", "./...")
	if strings.Contains(out, "Forget after a successful") || strings.Contains(out, "addratelimited") {
		t.Errorf("a fixed site is still reported:\n%s", out)
	}
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
	for _, name := range []string{".golangci.yml", "ctrl/ctrl.go"} {
		data, err := os.ReadFile(filepath.Join("testdata", "fixture", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(data)
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
