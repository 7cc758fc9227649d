package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestEveryCallHasAVerdict runs -json on the example module and on every
// matrix module and checks that each AddRateLimited call, and each
// AddWithOpts whose options set RateLimited, in their non-test files ends
// with exactly one addratelimited finding: no site is silent.
func TestEveryCallHasAVerdict(t *testing.T) {
	if testing.Short() {
		t.Skip("builds real client-go versions; skipped with -short")
	}
	for _, dir := range append(matrixModules(t), "../../examples/leaky") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			checkVerdicts(t, dir)
		})
	}
}

// userMethods are the AddRateLimited calls of the modules that call a user
// type's own method of that name (each module's EXPECT.md says so): not a
// work queue, so they must have no verdict at all.
var userMethods = map[string]string{
	"clientgo-v0.26/pkg/dns/controller.go:103:17":     "*deletionBatcher's own AddRateLimited",
	"clientgo-v0.26/pkg/dns/provider.go:61:6":         "*deletionBatcher's own AddRateLimited",
	"clientgo-v0.37/pkg/controller/injector.go:77:10": "*auditSink's own AddRateLimited",
}

func checkVerdicts(t *testing.T, dir string) {
	sites := rateLimitedCalls(t, dir)
	if len(sites) == 0 {
		t.Fatalf("%s: no AddRateLimited calls to account for", dir)
	}
	out, errOut, code := runJSON(dir)
	if code == exitError {
		t.Fatalf("queuefix -json failed:\n%s", errOut)
	}
	var doc jsonDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	verdicts := map[string][]string{}
	for _, f := range doc.Findings {
		if f.Rule == "addratelimited" {
			at := fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
			verdicts[at] = append(verdicts[at], f.Status)
		}
	}
	queue := 0
	for _, at := range sites {
		want := 1
		if _, ok := userMethods[filepath.Base(dir)+"/"+at]; ok {
			want = 0
		}
		if got := verdicts[at]; len(got) != want {
			t.Errorf("%s: %d verdicts %v, want %d", at, len(got), got, want)
		}
		queue += want
		delete(verdicts, at)
	}
	for at, got := range verdicts {
		t.Errorf("%s: verdict %v for no AddRateLimited call found in the source", at, got)
	}
	t.Logf("%d calls, %d on work queues", len(sites), queue)
}

// rateLimitedCalls returns file:line:col of the method name of every
// AddRateLimited call, and of every AddWithOpts call whose options literal
// sets RateLimited, in the non-test Go files below dir.
func rateLimitedCalls(t *testing.T, dir string) []string {
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		ast.Inspect(f, func(n ast.Node) bool {
			if sel := rateLimitedSelector(n); sel != nil {
				p := fset.Position(sel.Sel.Pos())
				out = append(out, fmt.Sprintf("%s:%d:%d", filepath.ToSlash(rel), p.Line, p.Column))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func rateLimitedSelector(n ast.Node) *ast.SelectorExpr {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	switch sel.Sel.Name {
	case "AddRateLimited":
		return sel
	case "AddWithOpts":
		if len(call.Args) > 0 && setsRateLimited(call.Args[0]) {
			return sel
		}
	}
	return nil
}

func setsRateLimited(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.CompositeLit)
	if !ok {
		return false
	}
	for _, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "RateLimited" {
				return true
			}
		}
	}
	return false
}
