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
// without Forget and the handlers that reach AddRateLimited, fix must make
// the edits queuefix makes (examples/leaky/EXPECT.md), and vet must be
// clean of them afterwards.
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
	for _, want := range []string{
		"controller.go:113:3: worker never calls Forget after a successful c.sync",
		"controller.go:42:12: event handler cache.ResourceEventHandlerFuncs.AddFunc reaches AddRateLimited at controller.go:71:2: handler path: main.(*Controller).enqueue; use Add",
		"controller.go:46:15: event handler cache.ResourceEventHandlerFuncs.DeleteFunc reaches AddRateLimited at controller.go:52:4: handler path: main.NewController.func2; use Add",
		// The helper shared with the periodic resync gets no fix.
		"handler path: main.NewController.func3 -> main.(*Controller).requeueAll; not fixed here: main.(*Controller).requeueAll is also used as a value at controller.go:95:18",
	} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("go vet -vettool: err %v, want a failure reporting\n%s\ngot:\n%s", err, want, out)
		}
	}

	if out, err := goCmd(dir, "fix", "-fixtool="+bin, "./..."); err != nil {
		t.Fatalf("go fix -fixtool: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "controller.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fixed := range []string{
		"\tif err == nil {\n\t\tc.queue.Forget(key)\n\t\treturn true\n\t}\n",
		"\t\t\tc.queue.Add(key)\n\t\t},\n",         // DeleteFunc
		"\t}\n\tc.queue.Add(key)\n}\n",             // enqueue
		"\t\tc.queue.AddRateLimited(pod.Namespace", // requeueAll, shared with the resync
	} {
		if !strings.Contains(string(src), fixed) {
			t.Errorf("go fix: controller.go lacks\n%s\ngot:\n%s", fixed, src)
		}
	}
	out, err = goCmd(dir, "vet", "-vettool="+bin, "./...")
	if strings.Contains(out, "Forget") || strings.Contains(out, "; use Add") || !strings.Contains(out, "requeueAll; not fixed here") {
		t.Errorf("go vet after the fix (err %v) must report only the shared helper:\n%s", err, out)
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
