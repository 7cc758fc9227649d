package rewrite

import (
	"go/ast"
	"go/token"
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

func TestInSpans(t *testing.T) {
	spans := []span{{10, 20}, {30, 40}}
	for pos, want := range map[token.Pos]bool{9: false, 10: true, 19: true, 20: false, 25: false, 30: true, 39: true, 40: false, 100: false} {
		if got := inSpans(spans, pos); got != want {
			t.Errorf("inSpans(%d) = %v, want %v", pos, got, want)
		}
	}
	if inSpans(nil, 1) {
		t.Error("inSpans(nil) = true")
	}
}
