// Package memcheck type-checks one Go file in memory against the
// repository's client-go workqueue stub (no go command, no SSA), for the
// fast tests of the engine and of the worker walk.
package memcheck

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// Package type-checks src as package example.com/ctrl, file ctrl.go in a
// temporary directory (the rules read the bytes they edit), and returns
// it as go/packages would.
func Package(t testing.TB, src string) *packages.Package {
	t.Helper()
	dir := t.TempDir()
	name := filepath.Join(dir, "ctrl.go")
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	std := importer.Default()
	wq := stubPackage(t, fset, std)
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Implicits: map[ast.Node]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{}, Scopes: map[ast.Node]*types.Scope{},
	}
	conf := types.Config{Importer: stubImporter{wq, std}}
	pkg, err := conf.Check("example.com/ctrl", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatalf("type-check:\n%s\n%v", src, err)
	}
	return &packages.Package{ID: "ctrl", PkgPath: "example.com/ctrl", Fset: fset, Syntax: []*ast.File{f},
		Types: pkg, TypesInfo: info, GoFiles: []string{name}, CompiledGoFiles: []string{name}}
}

// stubImporter resolves the workqueue to the stub, the rest to std.
type stubImporter struct {
	wq  *types.Package
	std types.Importer
}

func (i stubImporter) Import(path string) (*types.Package, error) {
	if path == match.WorkqueuePath {
		return i.wq, nil
	}
	return i.std.Import(path)
}

// stubPackage type-checks testdata's workqueue stub.
func stubPackage(t testing.TB, fset *token.FileSet, std types.Importer) *types.Package {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	name := filepath.Join(filepath.Dir(self), "../../../testdata/stubs/client-go/util/workqueue/queue.go")
	f, err := parser.ParseFile(fset, name, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: std}
	pkg, err := conf.Check(match.WorkqueuePath, fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}
