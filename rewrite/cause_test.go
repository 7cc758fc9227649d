package rewrite

import (
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCauseFormat checks that a cause spells its place with the file the
// output chooses and its words unchanged: no output has to find paths in
// text.
func TestCauseFormat(t *testing.T) {
	dir := filepath.FromSlash("/work/ctrl")
	name := filepath.Join(dir, "controller.go")
	rel := func(path string) string { r, _ := filepath.Rel(dir, path); return r }
	for _, tc := range []struct {
		cause Cause
		want  string
	}{
		{Cause{token.Position{Filename: name, Line: 17, Column: 42}, "cannot use obj"}, "controller.go:17:42: cannot use obj"},
		{Cause{token.Position{Filename: name}, "changed while queuefix was running; run queuefix again"}, "controller.go changed while queuefix was running; run queuefix again"},
		{Cause{Text: "no position"}, "no position"},
	} {
		if got := tc.cause.Format(rel); got != tc.want {
			t.Errorf("Cause%+v.Format(rel) = %q, want %q", tc.cause, got, tc.want)
		}
		f := Finding{Message: "q.AddRateLimited: ", Cause: &tc.cause}
		if got, want := f.Text(rel), "q.AddRateLimited: "+tc.want; got != want {
			t.Errorf("Finding.Text(rel) = %q, want %q", got, want)
		}
	}
	if got, want := (&Cause{token.Position{Filename: name, Line: 3, Column: 1}, "x"}).Error(), name+":3:1: x"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestEditCause checks that the errors verify meets keep their place
// apart: the first syntax error with the count of the others, and a type
// error.
func TestEditCause(t *testing.T) {
	fset := token.NewFileSet()
	name := filepath.Join(t.TempDir(), "broken.go")
	_, err := parser.ParseFile(fset, name, "package p\nfunc f() { x := }\nfunc g() { y := }\n", 0)
	c := editCause(fset, err)
	if c.Pos.Filename != name || c.Pos.Line != 2 || !strings.HasSuffix(c.Text, "(and 1 more errors)") {
		t.Errorf("syntax errors %v: got cause %+v, want line 2 of %s and (and 1 more errors)", err, c, name)
	}

	src := "package p\nvar s string = 1\n"
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	c = editCause(fset, err)
	if c.Pos.Filename != name || c.Pos.Line != 2 || strings.Contains(c.Text, name) {
		t.Errorf("type error %v: got cause %+v, want line 2 of %s, the path kept out of the text", err, c, name)
	}
	if c := editCause(fset, errors.New("plain")); c.Pos.Filename != "" || c.Text != "plain" {
		t.Errorf("plain error: got cause %+v, want the text alone", c)
	}
}

// TestReadCause checks that a file that cannot be read again is named by
// its place, with the operating system's reason and without its path.
func TestReadCause(t *testing.T) {
	name := filepath.Join(t.TempDir(), "gone.go")
	_, err := os.ReadFile(name)
	c := readCause(name, err)
	if c.Pos.Filename != name || c.Pos.Line != 0 || strings.Contains(c.Text, name) || !strings.HasPrefix(c.Text, "cannot be read: ") {
		t.Errorf("readCause(%s, %v) = %+v, want the file as the place and the reason without the path", name, err, c)
	}
	if got, want := c.Format(filepath.Base), "gone.go cannot be read: "+errors.Unwrap(err).Error(); got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
