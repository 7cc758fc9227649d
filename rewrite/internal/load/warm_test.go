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

// TestWarmCacheDir checks that QUEUEFIX_CACHE moves the stamps or turns
// them off, and that keeping a stamp trims expired ones once a day.
func TestWarmCacheDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	req := loadReq{dir: dir, env: append(os.Environ(), "QUEUEFIX_CACHE="+cache), patterns: []string{"./..."}}
	w := req.newWarmStamp()
	if want := filepath.Join(cache, "warm"); filepath.Dir(w.path) != want {
		t.Fatalf("stamp at %s, want it in %s", w.path, want)
	}
	off := loadReq{dir: dir, env: append(os.Environ(), "QUEUEFIX_CACHE=off"), patterns: []string{"./..."}}
	if w := off.newWarmStamp(); w.path != "" {
		t.Errorf("QUEUEFIX_CACHE=off got a stamp at %s", w.path)
	}

	stamps := filepath.Join(cache, "warm")
	if err := os.MkdirAll(stamps, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-warmFor - time.Minute)
	expired, fresh := filepath.Join(stamps, "expired"), filepath.Join(stamps, "fresh")
	for _, name := range []string{expired, fresh} {
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(expired, old, old); err != nil {
		t.Fatal(err)
	}
	w.keep()
	for name, want := range map[string]bool{expired: false, fresh: true, w.path: true} {
		if _, err := os.Stat(name); (err == nil) != want {
			t.Errorf("after keep: %s exists = %v, want %v", filepath.Base(name), err == nil, want)
		}
	}

	// Trimmed less than a day ago: an expired stamp stays until tomorrow.
	if err := os.WriteFile(expired, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(expired, old, old); err != nil {
		t.Fatal(err)
	}
	w.keep()
	if _, err := os.Stat(expired); err != nil {
		t.Errorf("trimmed twice in a day: %v", err)
	}
}
