package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCopy copies nested files into a directory that exists already,
// replacing a file of the same name and keeping the others, and fails on
// a source that does not exist.
func TestCopy(t *testing.T) {
	from, to := t.TempDir(), t.TempDir()
	files := map[string]string{"go.mod": "module m\n", "a/b/c.go": "package b\n"}
	for name, data := range files {
		put(t, filepath.Join(from, name), data)
	}
	put(t, filepath.Join(to, "go.mod"), "module old\n")
	put(t, filepath.Join(to, "keep.txt"), "kept\n")
	if err := Copy(from, to); err != nil {
		t.Fatal(err)
	}
	files["keep.txt"] = "kept\n"
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(to, name))
		if err != nil || string(got) != want {
			t.Errorf("%s after Copy(%v): %q, %v; want %q", name, files, got, err, want)
		}
	}
	if err := Copy(filepath.Join(from, "missing"), to); err == nil {
		t.Errorf("Copy of a missing directory: no error")
	}
}

func put(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
