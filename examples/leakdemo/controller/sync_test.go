package controller_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/queuefix/queuefix/rewrite"
)

// TestFixedIsQueuefixOutput keeps fixed/ what queuefix makes of leaky/:
// regenerate it with gen.sh when either changes.
func TestFixedIsQueuefixOutput(t *testing.T) {
	res, err := rewrite.Run(rewrite.Options{Dir: "leaky", Tests: true}, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("queuefix on leaky/: %v", res.Errors)
	}
	names, err := filepath.Glob("leaky/*.go")
	if err != nil || len(names) == 0 {
		t.Fatalf("no Go files in leaky/: %v", err)
	}
	changed := map[string]rewrite.File{}
	for _, f := range res.Files {
		changed[filepath.Base(f.Path)] = f
	}
	for _, name := range names {
		checkFixed(t, filepath.Base(name), changed)
	}
	fixedNames, _ := filepath.Glob("fixed/*.go")
	if len(fixedNames) != len(names) {
		t.Errorf("fixed/ has %d Go files, leaky/ %d; run gen.sh", len(fixedNames), len(names))
	}

	again, err := rewrite.Run(rewrite.Options{Dir: "fixed", Tests: true}, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	open := slices.DeleteFunc(again.Findings, func(f rewrite.Finding) bool { return f.Status == rewrite.Keep })
	if len(open) > 0 || len(again.Files) > 0 {
		t.Errorf("queuefix still finds something in fixed/: %+v", open)
	}
}

// checkFixed compares fixed/name with what queuefix makes of leaky/name:
// the rewritten bytes, or the file itself when queuefix leaves it alone.
func checkFixed(t *testing.T, name string, changed map[string]rewrite.File) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("leaky", name))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := changed[name]
	if ok {
		want = f.New
	}
	got, err := os.ReadFile(filepath.Join("fixed", name))
	if err != nil {
		t.Fatalf("%v; run gen.sh", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("fixed/%s is not queuefix's output for leaky/%s; run gen.sh\n%s", name, name, f.Diff("leaky/"+name))
	}
}
