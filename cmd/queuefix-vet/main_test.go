package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
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

	const review = "controller.go:83:11: c.queue.AddRateLimited in main.(*Controller).requeueAll is reached from an event handler and also from wait.Until"
	out, err := goCmd(dir, "vet", "-vettool="+bin, "./...")
	for _, want := range []string{
		"controller.go:113:3: worker never calls Forget after a successful c.sync",
		"controller.go:71:10: c.queue.AddRateLimited is reached only from event handlers: call c.queue.Add instead (rate limiting is for retries after errors); handler path: cache.ResourceEventHandlerFuncs.AddFunc (controller.go:42:",
		"controller.go:52:12: c.queue.AddRateLimited is reached only from event handlers: call c.queue.Add instead (rate limiting is for retries after errors); handler path: cache.ResourceEventHandlerFuncs.DeleteFunc (controller.go:46:",
		// The helper shared with the periodic resync gets no fix.
		review,
	} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("go vet -vettool: err %v, want a failure reporting\n%s\ngot:\n%s", err, want, out)
		}
	}

	// go fix applies the fixes and prints what is left for review.
	out, err = goCmd(dir, "fix", "-fixtool="+bin, "./...")
	if err != nil {
		t.Fatalf("go fix -fixtool: %v\n%s", err, out)
	}
	if !strings.Contains(out, review) || strings.Contains(out, "reached only from event handlers") || strings.Contains(out, "never calls Forget") {
		t.Errorf("go fix -fixtool must print the finding left for review, and only it:\n%s\ngot:\n%s", review, out)
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
	if strings.Contains(out, "Forget") || strings.Contains(out, "reached only from event handlers") || !strings.Contains(out, review) {
		t.Errorf("go vet after the fix (err %v) must report only the shared helper:\n%s", err, out)
	}
}

// TestFixMode checks when queuefix-vet prints findings without a fix
// itself: under go fix (-fix), for a package whose diagnostics are wanted.
func TestFixMode(t *testing.T) {
	dir := t.TempDir()
	facts := filepath.Join(dir, "facts.cfg")
	unit := filepath.Join(dir, "unit.cfg")
	if err := os.WriteFile(facts, []byte(`{"VetxOnly": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unit, []byte(`{"VetxOnly": false}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"-fix", unit}, true},
		{[]string{"-fix=true", "-json", unit}, true},
		{[]string{unit}, false},           // go vet
		{[]string{"-fix", facts}, false},  // a dependency, for its facts
		{[]string{"-fix", "help"}, false}, // no unit
	} {
		if got := fixMode(c.args); got != c.want {
			t.Errorf("fixMode(%q) = %v, want %v", c.args, got, c.want)
		}
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
	testfs.CopyTree(t, src, dst)
	return dst
}
