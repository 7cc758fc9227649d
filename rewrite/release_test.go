package rewrite

import (
	"go/ast"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"

	"github.com/queuefix/queuefix/rewrite/internal/load"
)

// TestReleaseChangesNothing runs every scenario, matrix module and example
// twice, with and without release, and wants the same diffs and the same
// findings of every status, with every frame of every chain: no phase
// after release may read what it drops.
func TestReleaseChangesNothing(t *testing.T) {
	eachScenario(t, func(t *testing.T, ar *txtar.Archive, dir string) {
		compareRelease(t, dir, scenarioOptions(t, ar))
	})
	if testing.Short() {
		t.Skip("the matrix and the examples load real client-go")
	}
	// The matrix modules named typed-* hold only a go.mod (cmd/queuefix
	// assembles their sources) and run only the typed rule, which skips
	// release.
	modules, err := filepath.Glob("../testdata/matrix/*/go.mod")
	if err != nil || len(modules) == 0 {
		t.Fatalf("no matrix modules: %v", err)
	}
	for _, mod := range append(modules, "../examples/leaky/go.mod") {
		if strings.HasPrefix(filepath.Base(filepath.Dir(mod)), "typed-") {
			continue
		}
		dir, err := filepath.Abs(filepath.Dir(mod))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			ar := &txtar.Archive{}
			if data, err := os.ReadFile(dir + ".want.txtar"); err == nil {
				ar = txtar.Parse(data)
			}
			compareRelease(t, dir, scenarioOptions(t, ar))
		})
	}
}

// scenarioOptions returns the options the archive's flags line asks for.
func scenarioOptions(t *testing.T, ar *txtar.Archive) Options {
	opts := Options{Tests: true, Load: LoadExport}
	flags := regexp.MustCompile(`(?m)^flags: (.*)$`).FindSubmatch(ar.Comment)
	opts.Closed = flags != nil && strings.Contains(string(flags[1]), "-closed")
	if m := regexp.MustCompile(`(?m)^flags:.*-rule (\S+)`).FindSubmatch(ar.Comment); m != nil {
		var err error
		if opts.Rules, err = ParseRules(string(m[1])); err != nil {
			t.Fatal(err)
		}
	}
	return opts
}

// compareRelease runs Run in dir with and without release and compares
// everything the CLI could print of the two results.
func compareRelease(t *testing.T, dir string, opts Options) {
	t.Helper()
	opts.Dir = dir
	kept := opts
	kept.keepBodies = true
	var text [2]string
	for i, o := range []Options{kept, opts} {
		res, err := Run(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := findingText{dir: dir}
		text[i] = f.diffs(res.Files) + f.findings(res.Findings, true, Change, Review, Keep, Ignored)
	}
	if text[0] == "" {
		t.Fatal("no output to compare")
	}
	if text[0] != text[1] {
		t.Errorf("release changes the output\n--- with every body:\n%s--- released:\n%s", text[0], text[1])
	}
}

// TestRelease checks what release drops and what it keeps: the bodies
// and their Info entries, the kept bodies and the declarations' own.
func TestRelease(t *testing.T) {
	dir := stubModule(t, map[string]string{"c.go": `package c

func keep() int { x := 1; return x }

func drop() int { y := 2; return y }

var v = func() int { z := 3; return z }()
`})
	pkgs, _, _, err := load.Load(load.Options{Dir: dir, Mode: LoadExport}, []string{"./..."})
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("load: %v, %d packages", err, len(pkgs))
	}
	decls := funcDecls(pkgs[0])
	release(pkgs, map[*ast.FuncDecl]bool{decls["keep"]: true})
	if decls["keep"].Body == nil || decls["drop"].Body != nil {
		t.Errorf("bodies after release: keep %v, drop %v", decls["keep"].Body != nil, decls["drop"].Body != nil)
	}
	defs := make(map[string]bool)
	for id := range pkgs[0].TypesInfo.Defs {
		defs[id.Name] = true
	}
	for name, want := range map[string]bool{"keep": true, "drop": true, "x": true, "y": false, "z": true} {
		if defs[name] != want {
			t.Errorf("Defs has %s: %v, want %v", name, defs[name], want)
		}
	}
	for e := range pkgs[0].TypesInfo.Types {
		if pos := pkgs[0].Fset.Position(e.Pos()); pos.Line == 5 && pos.Column > 20 {
			t.Errorf("Types keeps %T at %v, in the dropped body", e, pos)
		}
	}
}

func funcDecls(pkg *packages.Package) map[string]*ast.FuncDecl {
	out := make(map[string]*ast.FuncDecl)
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				out[fd.Name.Name] = fd
			}
		}
	}
	return out
}

// TestReleaseInfo checks that release keeps exactly the Info entries
// outside the dropped bodies, for every map and every kind of key: the
// same code, with every such key, in a kept body, a dropped one and at
// package level.
func TestReleaseInfo(t *testing.T) {
	const body = `
	var x any = 1
	switch v := x.(type) {
	case int:
		_ = v
	}
	for i := range 3 {
		if i > 0 {
			_ = i
		}
	}
	for j := 0; j < 1; j++ {
	}
	ch := make(chan int, 1)
	select {
	case ch <- 1:
	default:
	}
	_ = strings.ToUpper("a") + id[string]("b")
	_ = func(int) {}
	var p pair[int]
	_ = p.first
`
	dir := stubModule(t, map[string]string{"c.go": `package c

import "strings"

type pair[T any] struct{ first, second T }

func id[T any](v T) T { return v }

func anon(int, string) {}

var pkgLevel = func() int { return len(strings.TrimSpace(" ")) }()

func kept() {` + body + `}

func dropped() {` + body + `}
`})
	pkgs, _, _, err := load.Load(load.Options{Dir: dir, Mode: LoadExport}, []string{"./..."})
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("load: %v, %d packages", err, len(pkgs))
	}
	decls := funcDecls(pkgs[0])
	dropped := decls["dropped"].Body
	before := *pkgs[0].TypesInfo
	in := func(k ast.Node) bool { return dropped.Pos() <= k.Pos() && k.Pos() < dropped.End() }
	release(pkgs, map[*ast.FuncDecl]bool{decls["kept"]: true, decls["id"]: true, decls["anon"]: true})
	after := pkgs[0].TypesInfo
	checkKept(t, "Types", before.Types, after.Types, in)
	checkKept(t, "Defs", before.Defs, after.Defs, in)
	checkKept(t, "Uses", before.Uses, after.Uses, in)
	checkKept(t, "Implicits", before.Implicits, after.Implicits, in)
	checkKept(t, "Selections", before.Selections, after.Selections, in)
	checkKept(t, "Scopes", before.Scopes, after.Scopes, in)
	checkKept(t, "Instances", before.Instances, after.Instances, in)
}

// checkKept wants after to hold exactly the entries of before whose key
// is not in the dropped body, each with its value, and before to have
// some of each, so that the check means something.
func checkKept[K interface {
	comparable
	ast.Node
}, V any](t *testing.T, name string, before, after map[K]V, in func(ast.Node) bool) {
	t.Helper()
	var kept, dropped int
	for k, v := range before {
		got, ok := after[k]
		switch {
		case in(k) && ok:
			t.Errorf("%s keeps %T at %d, in the dropped body", name, k, k.Pos())
		case in(k):
			dropped++
		case !ok:
			t.Errorf("%s drops %T at %d, outside the dropped body", name, k, k.Pos())
		case any(got) != any(v):
			t.Errorf("%s changes the entry of %T at %d", name, k, k.Pos())
		default:
			kept++
		}
	}
	if len(after) != kept {
		t.Errorf("%s has %d entries after release, want the %d kept", name, len(after), kept)
	}
	if kept == 0 || dropped == 0 {
		t.Errorf("%s: %d entries kept and %d dropped; the test needs both", name, kept, dropped)
	}
}
