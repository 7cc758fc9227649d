package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"time"

	"golang.org/x/tools/go/packages"
)

// A Unit is one type-checked package, as a go/analysis driver hands it
// over: the analyzers in package analyzer run the engine's rules on it.
type Unit struct {
	Fset  *token.FileSet
	Types *types.Package
	Info  *types.Info
	Files []*ast.File

	// Summary, if set, returns what AddRateLimitedUnit found about a
	// function of another package when it ran on that package, or nil.
	Summary func(*types.Func) *Summary
}

// ForgetUnit runs the forget rule on one package alone, with the same
// worker walk and the same edit verification as Run. What it cannot see
// next to Run: AddRateLimited calls on the worker's queue made only in
// other packages, so such a worker is not judged.
func ForgetUnit(u Unit) []Finding {
	ix := newIndex([]*packages.Package{u.pkg()}, time.Now())
	forgets, _ := ix.forget()
	findings, _ := ix.apply(forgets)
	SortFindings(findings)
	return findings
}

// pkg wraps the unit as a loaded package for the index.
func (u Unit) pkg() *packages.Package {
	p := &packages.Package{
		ID:        u.Types.Path(),
		PkgPath:   u.Types.Path(),
		Name:      u.Types.Name(),
		Fset:      u.Fset,
		Types:     u.Types,
		TypesInfo: u.Info,
		Syntax:    u.Files,
	}
	for _, f := range u.Files {
		p.GoFiles = append(p.GoFiles, u.Fset.File(f.FileStart).Name())
	}
	return p
}

// IsRateLimitedAdd reports whether call is AddRateLimited on a client-go
// work queue, matched by type identity as Run matches it (a user type with
// its own AddRateLimited method is not a work queue), or a priority
// queue's AddWithOpts with RateLimited: true.
func IsRateLimitedAdd(info *types.Info, call *ast.CallExpr) bool {
	if m, _ := calledQueueMethod(info, call); m == "AddRateLimited" {
		return true
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "AddWithOpts" && prioritySite(info, sel, call) != nil
}

// IgnoredLines returns the lines of f that a //queuefix:ignore directive
// with a reason covers, with the reason. read returns f's source; it is
// called only when f has a comment that may be a directive.
func IgnoredLines(fset *token.FileSet, f *ast.File, read func() ([]byte, error)) (map[int]string, error) {
	out := make(map[int]string)
	if !hasIgnores(f) {
		return out, nil
	}
	src, err := read()
	if err != nil {
		return nil, err
	}
	for _, ig := range parseIgnores(fset, f, src) {
		if ig.reason != "" {
			out[ig.line] = ig.reason
		}
	}
	return out, nil
}

// HandlerField returns "Type.Field" when field f of struct type t is a
// func field that client-go or controller-runtime calls on informer events
// (cache.ResourceEventHandlerFuncs.AddFunc, ...), or "".
func HandlerField(t types.Type, f *types.Var) string { return handlerField(t, f) }

// HandlerMethods returns the event methods of named type t, and the
// interface they belong to, when t or *t implements an informer event
// handler (cache.ResourceEventHandler or its typed variant, of the given
// cache packages: see CachePackages) or a controller-runtime EventHandler:
// ("cache.ResourceEventHandler", [OnAdd OnUpdate OnDelete]).
func HandlerMethods(t types.Type, caches []*types.Package) (string, []string) {
	return handlerMethods(t, caches)
}

// CachePackages returns the client-go cache packages that pkg imports,
// directly or not (vendored copies included).
func CachePackages(pkg *types.Package) []*types.Package {
	return importedPkgs(pkg, cachePath)
}

// importedPkgs returns the copies of the package at path that pkg imports,
// directly or not (vendored copies included).
func importedPkgs(pkg *types.Package, path string) []*types.Package {
	var out []*types.Package
	seen := make(map[*types.Package]bool)
	var visit func(p *types.Package)
	visit = func(p *types.Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		if isPkg(p, path) {
			out = append(out, p)
		}
		for _, imp := range p.Imports() {
			visit(imp)
		}
	}
	visit(pkg)
	return out
}
