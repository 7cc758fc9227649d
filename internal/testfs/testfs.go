// Package testfs copies module trees for tests: a module from testdata
// into a temporary directory, or one temporary directory over another.
package testfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// CopyTree copies the files under from into to, as Copy does, and fails
// the test if it cannot.
func CopyTree(t testing.TB, from, to string) {
	t.Helper()
	if err := Copy(from, to); err != nil {
		t.Fatal(err)
	}
}

// Copy copies the files under from into to, creating directories as
// needed and replacing files of the same name (mode 0o644); files of to
// that from does not hold stay. Unlike os.CopyFS it writes into a tree
// that exists already, as tests that copy a result back over a module do.
func Copy(from, to string) error {
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", from, to, err)
	}
	return nil
}
