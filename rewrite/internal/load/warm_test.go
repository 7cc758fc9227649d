package load

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWarmStamp checks that a stamp holds until a file of the module
// changes, that a workspace or GOPATH tree gets none, and that an old
// stamp expires. Not parallel: it sets the user's cache directory.
func TestWarmStamp(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module m\n\ngo 1.22\n")
	write("a/a.go", "package a\n")
	write("a/testdata/x.go", "package x\n")
	req := loadReq{dir: dir, env: os.Environ(), patterns: []string{"./..."}}
	stamp := func() warmStamp {
		t.Helper()
		w := req.newWarmStamp()
		if w.path == "" {
			t.Fatal("no stamp for a module")
		}
		return w
	}
	if stamp().warm() {
		t.Fatal("warm before any export load")
	}
	stamp().keep()
	if !stamp().warm() {
		t.Fatal("not warm right after an export load, nothing changed")
	}
	write("a/testdata/x.go", "package x // testdata is not compiled\n")
	if !stamp().warm() {
		t.Error("a change under testdata made the stamp cold")
	}
	write("a/a.go", "package a // changed\n")
	if stamp().warm() {
		t.Error("warm after a file of the module changed")
	}
	w := stamp()
	w.keep()
	old := time.Now().Add(-warmFor - time.Minute)
	if err := os.Chtimes(w.path, old, old); err != nil {
		t.Fatal(err)
	}
	if stamp().warm() {
		t.Errorf("warm on a stamp older than %s", warmFor)
	}
	other := loadReq{dir: dir, env: os.Environ(), patterns: []string{"./a"}}
	if other.newWarmStamp().warm() {
		t.Error("a stamp of ./... made ./a warm")
	}
	write("go.work", "go 1.22\n\nuse .\n")
	if w := req.newWarmStamp(); w.path != "" {
		t.Errorf("a workspace got a stamp at %s", w.path)
	}
}
