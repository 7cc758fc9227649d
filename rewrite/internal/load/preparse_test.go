package load

import (
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPatternFiles walks the directories as go list does for ./... .
func TestPatternFiles(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"go.mod":               "module m\n",
		"a.go":                 "package a\n",
		"a_test.go":            "package a\n",
		"_skip.go":             "package a\n",
		"notes.txt":            "",
		"b/b.go":               "package b\n",
		"vendor/v/v.go":        "package v\n",
		"testdata/t.go":        "package t\n",
		".hidden/h.go":         "package h\n",
		"_tools/x.go":          "package x\n",
		"nested/go.mod":        "module n\n",
		"nested/n.go":          "package n\n",
		"b/deeper/d.go":        "package d\n",
		"b/deeper/d_test.go":   "package d\n",
		"b/testdata/data.go":   "package data\n",
		"b/deeper/vendor/x.go": "package x\n",
	})
	rel := func(names []string) []string {
		var out []string
		for _, n := range names {
			r, _ := filepath.Rel(dir, n)
			out = append(out, filepath.ToSlash(r))
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		pattern string
		tests   bool
		want    string
	}{
		{"./...", true, "a.go a_test.go b/b.go b/deeper/d.go b/deeper/d_test.go"},
		{"./...", false, "a.go b/b.go b/deeper/d.go"},
		{".", true, "a.go a_test.go"},
		{"./b/...", false, "b/b.go b/deeper/d.go"},
		{"./b", false, "b/b.go"},
		{"m/b/...", false, ""},
		{"...", false, ""},
		{"./b/.../x", false, ""},
	} {
		got := strings.Join(rel(patternFiles(dir, tc.pattern, tc.tests)), " ")
		if got != tc.want {
			t.Errorf("patternFiles(%q, tests=%v) = %q, want %q", tc.pattern, tc.tests, got, tc.want)
		}
	}
}

// TestPreparseUsesOnlyMatchingBytes: a file that changed after the
// preparser read it is parsed again from the bytes go/packages read.
func TestPreparseUsesOnlyMatchingBytes(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.go": "package a\n\nvar X = 1\n", "b.go": "package a\n\nvar Y = 2\n"})
	fset := token.NewFileSet()
	p := startPreparse(fset, dir, []string{"./..."}, false)
	a, b := filepath.Join(dir, "a.go"), filepath.Join(dir, "b.go")
	p.get(a)
	p.get(b)
	same, err := p.ParseFile(fset, a, []byte("package a\n\nvar X = 1\n"))
	if err != nil || same != p.files[a].f {
		t.Errorf("same bytes: got a fresh parse (err %v), want the preparsed AST", err)
	}
	changed, err := p.ParseFile(fset, b, []byte("package a\n\nvar Z = 3\n"))
	if err != nil || changed == p.files[b].f || changed.Decls[0].(*ast.GenDecl).Specs[0].(*ast.ValueSpec).Names[0].Name != "Z" {
		t.Errorf("changed bytes: got the preparsed AST (err %v), want a parse of the new bytes", err)
	}
	broken, err := p.ParseFile(fset, filepath.Join(dir, "c.go"), []byte("package a\nfunc {"))
	if err == nil || broken == nil {
		t.Errorf("unknown file with a syntax error: got err %v", err)
	}
	p.finish()
}
